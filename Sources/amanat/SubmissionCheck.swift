import AmanatClient
import AmanatCrypto
import AmanatJSON
import AmanatProtocol

/// `POST /v1/testimonies/check` (PROTOCOL.md 2.13): amanatd decodes and validates a testimony as its submission
/// would, and stores nothing. amanat asks it before the first byte of a file is sent, so that a missing field or a
/// wrong choice is refused at once instead of after gigabytes of evidence; the rules stay amanatd's alone.
enum SubmissionCheck {
    /// The check's body: `members` (`form`, `fields`) and an `attachments` array describing `files` by what is
    /// known before sending them (name, media type, size, section), for amanatd's count and size limits. The caller
    /// wipes it: it is the testimony in plaintext.
    static func body(_ members: [String: JSONValue], files: [EvidenceFile], sealedTo: String?) -> [UInt8] {
        var body = members
        if !files.isEmpty {
            body["attachments"] = .array(files.map { file in
                var member: [String: JSONValue] = [
                    "name": .string(file.name), "media_type": .string(file.mediaType),
                    "size": .number(String(file.size)),
                ]
                if let sealedTo { member["sealed_to"] = .string(sealedTo) }
                return .object(member)
            })
        }
        return JSONValue.object(body).canonicalBytes()
    }

    /// Asks amanatd whether it would take `members` with `files`; its answer, whatever the status (204: yes).
    static func ask(
        _ members: [String: JSONValue], files: [EvidenceFile], sealedTo: String?, client: UnixHTTPClient
    ) throws(ClientError) -> HTTPResponse {
        var body = body(members, files: files, sealedTo: sealedTo)
        defer { wipe(&body) }
        return try client.request(method: "POST", path: Endpoint.testimonyCheck, body: body)
    }
}

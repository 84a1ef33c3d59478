import AmanatClient
import AmanatCrypto
import AmanatJSON
import AmanatProtocol

/// `POST /v1/testimonies/check` (PROTOCOL.md 2.14): amanatd decodes and validates a testimony as its submission
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

    /// Whether the check's answer lets the files go: `204`, or `404 not-found` from an amanatd older than the check,
    /// which will validate the submission all the same (PROTOCOL.md 2.14).
    static func passes(_ response: HTTPResponse) -> Bool {
        response.isSuccess || (response.status == 404 && response.problem?.type == Problem.typePrefix + "not-found")
    }

    /// Asks amanatd to check `members` with `files`, and exits as a refused submission would when it refuses
    /// (`amanat submit --attach`): nothing has been sent yet.
    static func require(
        _ members: [String: JSONValue], files: [EvidenceFile], sealedTo: String?, options: GlobalOptions
    ) {
        var check = body(members, files: files, sealedTo: sealedTo)
        defer { wipe(&check) }
        let response: HTTPResponse
        do {
            response = try options.client.request(method: "POST", path: Endpoint.testimonyCheck, body: check)
        } catch {
            fail(error.description, code: error.isConnectionFailure ? Exit.unreachable : Exit.failure)
        }
        guard !passes(response) else { return }
        let unknownField = response.problem?.type == Problem.typePrefix + "unknown-field"
        failOnRefusal(options, response, hint: unknownField ? unknownFieldHint(options, body: check) : nil)
    }

    /// Asks amanatd whether it would take `members` with `files`; its answer, whatever the status (``passes(_:)``).
    static func ask(
        _ members: [String: JSONValue], files: [EvidenceFile], sealedTo: String?, client: UnixHTTPClient
    ) throws(ClientError) -> HTTPResponse {
        var body = body(members, files: files, sealedTo: sealedTo)
        defer { wipe(&body) }
        return try client.request(method: "POST", path: Endpoint.testimonyCheck, body: body)
    }
}

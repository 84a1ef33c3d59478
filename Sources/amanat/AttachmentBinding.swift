import AmanatClient
import AmanatCrypto
import AmanatJSON
import Glibc

/// The request that binds uploaded files to a record (`POST /v1/testimonies` with `attachments`, or
/// `POST /v1/records/ID/attachments`), and what its answer says.
///
/// The body carries each file's key. It is spelled in protected memory: the JSON is made with random stand-ins
/// for the keys, copied into `SecretBytes`, and the stand-ins are overwritten there with the keys' base64.
struct AttachmentBinding {
    let uploads: [UploadedFile]
    /// `identity` or `testimony`, or nil for what the form says.
    let sealedTo: String?

    /// The body: `members` and an `attachments` array describing `uploads`, in protected memory.
    func body(with members: [String: JSONValue]) throws(EvidenceError) -> SecretBytes {
        let keyLength = Base64.encodedLength(of: 32)
        // Random stand-ins (hex, so canonical JSON copies them unescaped); 176 random bits cannot occur elsewhere.
        let standIns = uploads.map { _ in String(Hex.encode(randomBytes(keyLength)).prefix(keyLength)) }
        var body = members
        body["attachments"] = .array(zip(uploads, standIns).map { upload, standIn in
            var member: [String: JSONValue] = [
                "upload": .string(upload.uploadID), "name": .string(upload.file.name),
                "media_type": .string(upload.file.mediaType), "size": .number(String(upload.file.size)),
                "sha256": .string(Hex.encode(upload.sha256)), "key": .string(standIn),
            ]
            if let sealedTo { member["sealed_to"] = .string(sealedTo) }
            return .object(member)
        })
        var bytes = JSONValue.object(body).canonicalBytes()
        defer { wipe(&bytes) }
        do {
            let secret = try bytes.withUnsafeBytes { (raw) throws(CryptoError) in try SecretBytes(copying: raw) }
            for (upload, standIn) in zip(uploads, standIns) {
                guard let start = bytes.firstRange(of: Array("\"\(standIn)\"".utf8))?.lowerBound else {
                    preconditionFailure("a key's stand-in is missing from the body")
                }
                try secret.withUnsafeMutableBytes { (raw) throws(CryptoError) in
                    let text = UnsafeMutableRawBufferPointer(rebasing: raw[start + 1..<start + 1 + keyLength])
                    try Base64.encode(upload.key, into: text)
                }
            }
            return secret
        } catch {
            throw EvidenceError(UI.cryptoFailed)
        }
    }

    /// Sends `body` to `path` and reads the answer, whatever its status.
    static func post(_ body: SecretBytes, to path: String, client: UnixHTTPClient) throws(ClientError) -> HTTPResponse {
        do throws(StreamingRequestError<Never>) {
            return try client.request(
                method: "POST", path: path, contentType: "application/json", contentLength: UInt64(body.count)
            ) { writer in
                body.withUnsafeBytes { _ = writer.write($0) }
            }
        } catch let failure {
            switch failure {
            case .client(let error): throw error
            }
        }
    }

    /// The hint when a testimony's binding request got no answer.
    static let unknownSubmission = "no answer came back: it is unknown whether the testimony and its files were "
        + "stored; if you submit them again, tell the case workers it may be a duplicate"

    /// Sends `body` to `path`; exits with the error when there is no answer or amanatd refuses (removing the uploads
    /// then: amanat will not retry). Returns the answer's JSON object.
    static func send(
        _ body: SecretBytes, to path: String, options: GlobalOptions, uploader: FileUploader, isSubmission: Bool
    ) -> [String: JSONValue] {
        let response: HTTPResponse
        do {
            response = try post(body, to: path, client: options.client)
        } catch {
            if error.kind == .connectionLost || error.kind == .timedOut {
                // The request may have arrived; only an answer acknowledges it, so the uploads are left alone.
                let hint = isSubmission
                    ? unknownSubmission : "no answer came back: it is unknown whether the files were added"
                fail(error.description, code: Exit.unreachable, hint: hint)
            }
            uploader.discardUploads()
            fail(error.description, code: error.isConnectionFailure ? Exit.unreachable : Exit.failure)
        }
        if !response.isSuccess { uploader.discardUploads() }
        failOnRefusal(options, response, language: uploader.language)
        guard case .object(let answer) = parseJSON(response.body) else { fail("malformed answer from amanatd") }
        return answer
    }

    /// The answer's `attachments`, each with the file's `name` and `size` added (local knowledge, for the volunteer).
    func described(_ answer: [String: JSONValue]) -> [String: JSONValue] {
        var answer = answer
        guard let entries = answer["attachments"]?.arrayValue else { return answer }
        answer["attachments"] = .array(entries.enumerated().map { index, entry in
            guard case .object(var members) = entry, index < uploads.count else { return entry }
            members["name"] = .string(uploads[index].file.name)
            members["size"] = .number(String(uploads[index].file.size))
            return .object(members)
        })
        return answer
    }

    /// Lines for the volunteer: `attachment POSITION ID NAME`, then its `receipt {…}`.
    func printAttachments(_ answer: [String: JSONValue]) {
        guard let entries = answer["attachments"]?.arrayValue else { fail("malformed answer from amanatd") }
        for (index, entry) in entries.enumerated() {
            let position = entry["position"]?.numberLiteral ?? "?"
            let id = entry["attachment_id"]?.stringValue ?? "?"
            let name = index < uploads.count ? IntakeTerminal.printable(uploads[index].file.name) : ""
            print("attachment \(position) \(id) \(name)")
            if let receipt = entry["receipt"] {
                print("receipt " + String(decoding: receipt.canonicalBytes(), as: UTF8.self))
            }
        }
    }
}

extension GlobalOptions {
    /// Opens and checks `paths`; exits with a one-line error in `language` on the first that cannot be sent.
    func openFiles(_ paths: [String], language: IntakeLanguage) -> [EvidenceFile] {
        var files: [EvidenceFile] = []
        for path in paths {
            do {
                files.append(try EvidenceFile(path: path))
            } catch {
                fail(error.message(language), code: error.code)
            }
        }
        return files
    }

    /// Opens `paths` and sends each file through a resumable upload, with a progress bar on a terminal; exits
    /// with a one-line error in `language` on the first failure, removing what was sent.
    func upload(_ paths: [String], language: IntakeLanguage) -> (FileUploader, [UploadedFile]) {
        initialiseSodium()
        let files = openFiles(paths, language: language)
        let total = files.reduce(0) { $0 + StreamPlan(plainSize: $1.size).storedSize }
        let progress = TransferProgress(total: total, language: language)
        let uploader = FileUploader(client: client, language: language, progress: progress)
        var uploads: [UploadedFile] = []
        for file in files {
            do {
                uploads.append(try uploader.upload(file))
            } catch {
                progress.finish()
                uploader.discardUploads()
                fail(error.message(language), code: error.code)
            }
        }
        progress.finish()
        return (uploader, uploads)
    }
}

import AmanatClient
import AmanatCrypto
import AmanatJSON
import AmanatProtocol
import Glibc

extension AttachmentBinding {
    /// The waits before each new try of a binding request after a transport failure, as an upload's.
    static let retryDelays: [UInt32] = [1, 2, 4, 8, 16]

    /// Sends `files` and binds them with `members` to `path` (`amanat submit --attach`), trying again by itself
    /// after a transport failure of the binding request (amanatd restarting, the connection cut): the finished
    /// uploads are kept (``KeptUploads``) and bound again once `HEAD` shows them whole, and only a missing one is
    /// sent again. Exits on a refusal (removing the uploads) or once the tries are used up (leaving them to expire).
    /// Returns the binding and the answer's JSON object.
    static func sendKeeping(
        _ members: [String: JSONValue], files: [EvidenceFile], sealedTo: String?, to path: String,
        options: GlobalOptions, language: IntakeLanguage
    ) -> (AttachmentBinding, [String: JSONValue]) {
        let client = options.client
        let kept = KeptUploads()
        let delays = retryDelays
        var attempt = 0
        while true {
            let progress = TransferProgress(total: kept.storedSizeToSend(for: files), language: language)
            let uploader = FileUploader(client: client, language: language, progress: progress)
            let uploads: [UploadedFile]
            do {
                if kept.unanswered, (try? kept.allGone(client: client)) == true {
                    // The binding claims all of a testimony's uploads or none: all gone, it most likely was stored.
                    fail(UI.bindingUnknown(language), code: Exit.unreachable)
                }
                let (sent, reused) = try kept.uploads(for: files, client: client, uploader: uploader)
                progress.finish()
                if reused > 0 { printError(UI.filesReused(reused)(language)) }
                uploads = sent
            } catch {
                progress.finish()
                guard error.code == Exit.unreachable, attempt < delays.count else {
                    if !kept.unanswered { kept.discard() }
                    fail(error.message(language), code: error.code)
                }
                pause(delays[attempt], attempt: &attempt, of: delays.count, reason: nil, language: language)
                continue
            }
            let binding = AttachmentBinding(uploads: uploads, sealedTo: sealedTo)
            let body: SecretBytes
            do {
                body = try binding.body(with: members)
            } catch {
                kept.discard()
                fail(error.message(language), code: error.code)
            }
            let response: HTTPResponse
            do {
                response = try post(body, to: path, client: client)
            } catch {
                let mayHaveArrived = error.kind == .connectionLost || error.kind == .timedOut
                kept.unanswered = kept.unanswered || mayHaveArrived
                guard FileUploader.isTransient(error), attempt < delays.count else {
                    if kept.unanswered {
                        fail(error.description, code: Exit.unreachable, hint: unknownSubmission)
                    }
                    kept.discard()
                    fail(error.description, code: error.isConnectionFailure ? Exit.unreachable : Exit.failure)
                }
                let reason = error.description
                pause(delays[attempt], attempt: &attempt, of: delays.count, reason: reason, language: language)
                continue
            }
            if !response.isSuccess {
                // A try whose answer was lost may have bound the uploads meanwhile: then this one finds them gone.
                if kept.unanswered && response.problem?.type == Problem.typePrefix + "unknown-upload" {
                    fail(UI.bindingUnknown(language), code: Exit.unreachable)
                }
                kept.discard()
            }
            failOnRefusal(options, response)
            kept.forget()
            guard case .object(let answer) = parseJSON(response.body) else { fail("malformed answer from amanatd") }
            return (binding, answer)
        }
    }

    /// Says why and waits `seconds` before the next try of the binding request.
    private static func pause(
        _ seconds: UInt32, attempt: inout Int, of tries: Int, reason: String?, language: IntakeLanguage
    ) {
        attempt += 1
        let reason = reason ?? "amanatd cannot be reached"
        printError(UI.retryingBinding(reason, seconds: Int(seconds), attempt: attempt, of: tries)(language))
        var pause = timespec(tv_sec: Int(seconds), tv_nsec: 0)
        var left = timespec()
        while nanosleep(&pause, &left) != 0 && errno == EINTR { pause = left }
    }
}

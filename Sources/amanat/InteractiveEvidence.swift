import AmanatClient
import AmanatCrypto
import AmanatProtocol
import AmanatJSON
import Glibc

/// The guided intake's evidence step: files added by path, each shown with its name, size and detected type, and
/// removed by number; sent (encrypted as they are read) before the testimony that binds them.
extension InteractiveIntake {
    /// Adds and removes files until the volunteer gives an empty line.
    mutating func askFiles() throws(Discarded) {
        terminal.write("\n")
        terminal.say(UI.filesHeading(language))
        terminal.say(UI.filesHint(language), indent: "  ")
        showFiles()
        while true {
            let answer = try prompter.readAnswer().trimmingSpaces
            if answer.isEmpty { return }
            if answer.hasPrefix("-"), let number = Int(answer.dropFirst()), number >= 1 && number <= files.count {
                files.remove(at: number - 1)
                showFiles()
                continue
            }
            do {
                let file = try EvidenceFile(path: answer)
                guard !files.contains(where: { $0.isSameFile(as: file) }) else {
                    terminal.say(UI.alreadyAdded(language))
                    continue
                }
                files.append(file)
                showFiles()
            } catch {
                terminal.say(error.message(language))
            }
        }
    }

    /// The list of files, numbered: name, size, type.
    func showFiles() {
        for line in fileLines(indent: "  ") { terminal.write(line + "\n") }
    }

    /// `1) scan.jpg, 1.2 MiB, image/jpeg`, one line per file, or "(no files)".
    func fileLines(indent: String) -> [String] {
        guard !files.isEmpty else { return [indent + UI.noFiles(language)] }
        return files.enumerated().flatMap { index, file in
            IntakeTerminal.wrap(
                "\(index + 1)) \(file.name), \(ByteCount.text(file.size)), \(file.mediaType)",
                width: terminal.width, indent: indent
            )
        }
    }

    /// Asks amanatd to check the testimony, sends the files, then the testimony with their `attachments`. True once
    /// stored; false when amanatd refused the testimony as invalid (back to review). After other failures asks
    /// whether to retry, and exits when the volunteer declines. The finished uploads are kept across tries
    /// (``KeptUploads``): a retry binds those amanatd still holds whole and sends only the others.
    mutating func sendWithFiles(options: GlobalOptions) throws(Discarded) -> Bool {
        while true {
            terminal.say(UI.sending(language))
            switch sendOnceWithFiles(options: options) {
            case .stored:
                deleteDraft()
                return true
            case .invalid: return false
            case .failed(let code): if try !retryAfterFailure(exitCode: code) { return false }
            }
        }
    }

    private enum SendOutcome {
        case stored
        /// Refused as invalid: back to the review.
        case invalid
        /// Failed otherwise, with the exit code should the volunteer give up.
        case failed(Int32)
    }

    /// One try: the check, the files not yet on amanatd, the binding request.
    private func sendOnceWithFiles(options: GlobalOptions) -> SendOutcome {
        let client = options.client
        let members: [String: JSONValue] = ["form": .string(form.id), "fields": .object(answers)]
        // Before a file byte is sent: a field amanatd refuses is refused now, not after gigabytes of evidence.
        do {
            let check = try SubmissionCheck.ask(members, files: files, sealedTo: sealedTo, client: client)
            if !SubmissionCheck.passes(check) { return showRefusal(check).map(SendOutcome.failed) ?? .invalid }
        } catch {
            terminal.say(UI.sendFailed(UI.transport(error)(language))(language))
            return .failed(error.isConnectionFailure ? Exit.unreachable : Exit.failure)
        }
        if kept.unanswered, (try? kept.allGone(client: client)) == true {
            return unknownOutcome()
        }
        let progress = TransferProgress(total: kept.storedSizeToSend(for: files), language: language)
        let uploader = FileUploader(client: client, language: language, progress: progress)
        let binding: AttachmentBinding
        let body: SecretBytes
        do {
            let (uploads, reused) = try kept.uploads(for: files, client: client, uploader: uploader)
            progress.finish()
            if reused > 0 { terminal.say(UI.filesReused(reused)(language)) }
            binding = AttachmentBinding(uploads: uploads, sealedTo: sealedTo)
            body = try binding.body(with: members)
        } catch {
            progress.finish()
            terminal.say(UI.sendingFilesFailed(error.message(language))(language))
            return .failed(error.code)
        }
        let response: HTTPResponse
        do {
            response = try AttachmentBinding.post(body, to: Endpoint.testimonies, client: client)
        } catch {
            let failure = showTransportFailure(error)
            if failure.outcomeUnknown { kept.unanswered = true }
            return .failed(failure.code)
        }
        guard response.isSuccess else {
            // A try whose answer was lost may have bound the uploads meanwhile: then this one finds them gone.
            if kept.unanswered && response.problem?.type == Problem.typePrefix + "unknown-upload" {
                return unknownOutcome()
            }
            // The uploads stay kept, for a retry or a send after corrections at the review.
            return showRefusal(response).map(SendOutcome.failed) ?? .invalid
        }
        kept.forget()
        terminal.wipeScreen()
        confirm(response, json: options.json, binding: binding)
        return .stored
    }

    /// After a binding request without an answer, the uploads are gone: the testimony was most likely stored. Says
    /// so; a retry sends the files anew, as a new testimony.
    private func unknownOutcome() -> SendOutcome {
        terminal.say(UI.sendFailed(UI.bindingUnknown(language))(language))
        kept.forget()
        return .failed(Exit.unreachable)
    }
}

extension EvidenceFile {
    /// Whether both name the same file (device and inode), however the paths were spelled.
    func isSameFile(as other: EvidenceFile) -> Bool {
        identity == other.identity
    }
}

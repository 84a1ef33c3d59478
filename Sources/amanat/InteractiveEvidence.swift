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

    /// Sends the files, then the testimony with their `attachments`. True once stored; false when amanatd refused
    /// the testimony as invalid (back to review). After other failures asks whether to retry, and exits when the
    /// volunteer declines. Each try sends the files again: a failed try removes what it sent.
    mutating func sendWithFiles(options: GlobalOptions) throws(Discarded) -> Bool {
        while true {
            terminal.say(UI.sending(language))
            let total = files.reduce(0) { $0 + StreamPlan(plainSize: $1.size).storedSize }
            let progress = TransferProgress(total: total, language: language)
            let uploader = FileUploader(client: options.client, language: language, progress: progress)
            var uploads: [UploadedFile] = []
            var failureCode: Int32 = Exit.failure
            do {
                for file in files { uploads.append(try uploader.upload(file)) }
                progress.finish()
                let binding = AttachmentBinding(uploads: uploads, sealedTo: sealedTo)
                let body = try binding.body(with: ["form": .string(form.id), "fields": .object(answers)])
                do {
                    let response = try AttachmentBinding.post(body, to: Endpoint.testimonies, client: options.client)
                    if response.isSuccess {
                        terminal.wipeScreen()
                        confirm(response, json: options.json, binding: binding)
                        deleteDraft()
                        return true
                    }
                    uploader.discardUploads()
                    guard let code = showRefusal(response) else { return false }
                    failureCode = code
                } catch {
                    let failure = showTransportFailure(error)
                    // Uploads the testimony may already have bound are left alone; the others go.
                    if !failure.outcomeUnknown { uploader.discardUploads() }
                    failureCode = Exit.unreachable
                }
            } catch {
                progress.finish()
                uploader.discardUploads()
                terminal.say(UI.sendingFilesFailed(error.message(language))(language))
                failureCode = error.code
            }
            if try !retryAfterFailure(exitCode: failureCode) { return false }
        }
    }
}

extension EvidenceFile {
    /// Whether both name the same file (device and inode), however the paths were spelled.
    func isSameFile(as other: EvidenceFile) -> Bool {
        identity == other.identity
    }
}

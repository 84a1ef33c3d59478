import AmanatCrypto
import AmanatProtocol
import AmanatJSON
import ArgumentParser
import Glibc

extension Amanat {
    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a testimony: guided on the terminal, or from a JSON file (- for standard input).",
            discussion: """
                The JSON is {"form": ID, "fields": {...}}. Once amanatd has stored it durably, prints the record id, \
                then a line "receipt {…}" (the signed receipt) and a line "withdrawal-token amanat-wt-…", shown only \
                once. Nothing is written to disk on this machine.

                With --interactive, or with no file when standard input is a terminal, amanat fetches the form \
                and asks for each field in turn (labels in --lang en|ru|kk), checking each answer as it is typed. \
                Choices are numbered menus; dates are YYYY, YYYY-MM or YYYY-MM-DD; a multi-line text ends at a \
                line holding only "."; relatives are added one at a time. Everything is shown for review: type a \
                field number to correct it, or "send" to send. Ctrl-C or Ctrl-D discards everything (after \
                asking, once something was typed) and exits with code 130. Answers stay in memory: no temp \
                files, no history, no core dumps. Against a crash, an encrypted draft is kept on the intake host \
                (never here) after each answer, under a code shown at the start: --resume continues it with the \
                code; it is deleted when sent or discarded, and expires by itself; --no-draft keeps none. \
                No colours are used.
                """
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var intake: IntakeOptions
        @OptionGroup var evidence: EvidenceOptions
        @Argument(help: "The testimony JSON file, or - for standard input.") var file: String?

        func validate() throws {
            try intake.check(file: file)
            try evidence.check()
        }

        func run() throws {
            guard let file, !intake.isGuided(file: file) else {
                InteractiveIntake.run(options: options, intake: intake, evidence: evidence)
            }
            let body = readInput(file, limit: 64 << 20)
            guard evidence.attach.isEmpty else { return submit(body, withFiles: evidence.attach) }
            let response = perform(options, "POST", Endpoint.testimonies, body: body, language: intake.language)
            if options.json {
                printBody(response.body)
                return
            }
            guard case .object(let answer) = parseJSON(response.body) else { fail("malformed answer from amanatd") }
            printStored(answer)
        }

        /// Asks amanatd to check the testimony, then sends the files through uploads, then the testimony with its
        /// `attachments`; a binding request cut off is tried again with the same uploads.
        private func submit(_ testimony: [UInt8], withFiles paths: [String]) {
            let language = intake.language
            guard case .object(let members)? = try? JSONParser(maxDepth: 64).parse(testimony) else {
                fail(UI.notAnObject(language))
            }
            guard members["attachments"] == nil else { fail(UI.attachmentsInFile(language)) }
            initialiseSodium()
            let files = options.openFiles(paths, language: language)
            // Before a file byte is sent: a bad field is refused now, not after gigabytes of evidence.
            SubmissionCheck.require(members, files: files, sealedTo: evidence.sealedTo, options: options)
            let (binding, answer) = AttachmentBinding.sendKeeping(
                members, files: files, sealedTo: evidence.sealedTo, to: Endpoint.testimonies, options: options,
                language: language
            )
            if options.json {
                printBody(JSONValue.object(binding.described(answer)).canonicalBytes())
                return
            }
            printStored(answer)
            binding.printAttachments(answer)
        }
    }

    struct Health: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask amanatd whether it is up.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let response = perform(options, "GET", Endpoint.health)
            if options.json {
                printBody(response.body)
                return
            }
            guard case .object(let answer) = parseJSON(response.body) else { fail("malformed answer from amanatd") }
            let status = answer["status"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "unknown"
            let version = answer["version"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "unknown"
            printSafely("amanatd \(version): \(status)")
        }
    }

    struct Forms: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the forms, or show one form's fields.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "A form id to show in full.") var id: String?

        func run() throws {
            guard let id else {
                let response = perform(options, "GET", Endpoint.forms)
                if options.json {
                    printBody(response.body)
                    return
                }
                guard case .object(let answer) = parseJSON(response.body), case .array(let forms)? = answer["forms"] else {
                    fail("malformed answer from amanatd")
                }
                for case .object(let form) in forms {
                    printSafely("\(text(form["id"]))\tv\(text(form["version"]))\t\(title(form["title"]))")
                }
                return
            }
            guard id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") })
            else { fail("a form id has no spaces, slashes or special characters") }
            let response = perform(options, "GET", Endpoint.form(id))
            if options.json {
                printBody(response.body)
                return
            }
            guard case .object(let form) = parseJSON(response.body), case .array(let fields)? = form["fields"] else {
                fail("malformed answer from amanatd")
            }
            printSafely("\(text(form["id"])) v\(text(form["version"])): \(title(form["title"]))")
            printFields(fields, indent: "  ")
        }

        /// One line per field; under a choice field, one line per value (what a file must say) with its label;
        /// under a records field (relatives), its sub-fields.
        private func printFields(_ fields: [JSONValue], indent: String) {
            for case .object(let field) in fields {
                let required = field["required"] == .bool(true) ? "required" : "optional"
                printSafely("\(indent)\(text(field["name"]))\t\(text(field["type"]))\t\(text(field["section"]))"
                      + "\t\(required)\t\(title(field["label"]))")
                if case .array(let options)? = field["options"] {
                    for case .object(let option) in options {
                        printSafely("\(indent)    = \(text(option["value"]))\t\(title(option["label"]))")
                    }
                }
                if case .array(let subfields)? = field["fields"] { printFields(subfields, indent: indent + "    ") }
            }
        }

        private func text(_ value: JSONValue?) -> String {
            switch value {
            case .string(let s)?: s
            case .number(let n)?: n
            default: ""
            }
        }

        private func title(_ value: JSONValue?) -> String {
            guard case .object(let labels)? = value else { return "" }
            return text(labels["en"])
        }
    }
}

/// Reads `file` (or standard input for `-`) whole, through a file descriptor: no temp files, no editor.
func readInput(_ file: String, limit: Int) -> [UInt8] {
    let fd = file == "-" ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { fail("cannot read \(file): \(String(cString: strerror(errno)))") }
    defer { if fd != STDIN_FILENO { close(fd) } }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { fail("cannot read \(file): \(String(cString: strerror(errno)))") }
        if n == 0 { break }
        bytes += chunk[0..<n]
        guard bytes.count <= limit else { fail("\(file) is larger than \(limit >> 20) MiB") }
    }
    return bytes
}

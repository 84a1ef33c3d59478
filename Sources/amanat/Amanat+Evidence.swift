import AmanatCrypto
import AmanatProtocol
import AmanatFormat
import AmanatJSON
import ArgumentParser
import Glibc

extension Amanat {
    struct Attach: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add evidence files to a stored testimony, with the witness's record id and withdrawal token.",
            discussion: """
                Each file is encrypted on this machine as it is read (a fresh key per file) and sent through a \
                resumable upload: a broken connection or an amanatd restart is retried by itself, up to 5 times. \
                Prints, per file, "attachment POSITION ID NAME" and its signed "receipt {…}". A wrong token and an \
                unknown record get the same answer, and nothing is changed.
                """
        )

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The record id (32 hex digits).") var recordID: String
        @Option(help: "Read the withdrawal token (amanat-wt-…) from this file, or - for standard input.")
        var tokenFile: String
        @Option(name: .customLong("sealed-to"), help: ArgumentHelp(
            "Seal the files' keys and names to this section's recipients: identity or testimony.", valueName: "section"
        ))
        var sealedTo: String?
        @Option(help: "The language of the messages: en, ru or kk (default: from the locale).") var lang: String?
        @Argument(help: "The files to add.") var files: [String]

        func validate() throws {
            try checkRecordAndLanguage(recordID, lang)
            guard !files.isEmpty else { throw ValidationError("give at least one file") }
            try EvidenceOptions.check(files: files, sealedTo: sealedTo)
        }

        func run() throws {
            let language = messageLanguage(lang)
            let token = readToken(tokenFile)
            let (uploader, uploads) = options.upload(files, language: language)
            let binding = AttachmentBinding(uploads: uploads, sealedTo: sealedTo)
            let body: SecretBytes
            do {
                body = try binding.body(with: ["token": .string(token)])
            } catch {
                uploader.discardUploads()
                fail(error.message(language), code: error.code)
            }
            let answer = AttachmentBinding.send(
                body, to: Endpoint.recordAttachments(recordID), options: options, uploader: uploader, isSubmission: false
            )
            if options.json {
                printBody(JSONValue.object(binding.described(answer)).canonicalBytes())
                return
            }
            binding.printAttachments(answer)
        }
    }

    struct Addendum: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a sealed text to a stored testimony, with the witness's record id and withdrawal token.",
            discussion: """
                The text comes from TEXT (a file, or - for standard input); testimony fields of the record's form \
                come from --field name=value (repeatable) or --fields FILE (a JSON object). amanatd seals the \
                addendum to the testimony section's recipients. Prints "addendum POSITION ID" and the signed \
                "receipt {…}".
                """
        )

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The record id (32 hex digits).") var recordID: String
        @Option(help: "Read the withdrawal token (amanat-wt-…) from this file, or - for standard input.")
        var tokenFile: String
        @Option(
            name: .customLong("field"), help: ArgumentHelp("A testimony field, as name=value.", valueName: "name=value")
        )
        var fieldOptions: [String] = []
        @Option(name: .customLong("fields"), help: "A JSON file holding an object of testimony fields.")
        var fieldsFile: String?
        @Option(help: "The language of the messages: en, ru or kk (default: from the locale).") var lang: String?
        @Argument(help: "The addendum's text: a file, or - for standard input.") var text: String?

        func validate() throws {
            try checkRecordAndLanguage(recordID, lang)
            if tokenFile == "-" && text == "-" {
                throw ValidationError("the token and the text cannot both come from standard input")
            }
            for option in fieldOptions where !option.contains("=") || option.hasPrefix("=") {
                throw ValidationError("--field takes name=value")
            }
        }

        func run() throws {
            let language = messageLanguage(lang)
            let token = readToken(tokenFile)
            var body: [String: JSONValue] = ["token": .string(token)]
            if let text {
                guard let value = String(validating: readInput(text, limit: 16 << 20), as: UTF8.self) else {
                    fail("\(text) is not UTF-8 text")
                }
                if !value.isEmpty { body["text"] = .string(value) }
            }
            var fields: [String: JSONValue] = [:]
            if let fieldsFile {
                let text = readInput(fieldsFile, limit: 16 << 20)
                guard case .object(let members)? = try? JSONParser(maxDepth: 64).parse(text) else {
                    fail("\(fieldsFile) is not a JSON object of fields")
                }
                fields = members
            }
            for option in fieldOptions {
                let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                fields[String(parts[0])] = .string(String(parts[1]))
            }
            if !fields.isEmpty { body["fields"] = .object(fields) }
            guard body.count > 1 else { fail(UI.addendumEmpty(language)) }
            var bytes = JSONValue.object(body).canonicalBytes()
            defer { wipe(&bytes) }
            let response = perform(options, "POST", Endpoint.recordAddenda(recordID), body: bytes, language: language)
            if options.json {
                printBody(response.body)
                return
            }
            guard case .object(let answer) = parseJSON(response.body) else { fail("malformed answer from amanatd") }
            let position = answer["position"]?.numberLiteral ?? "?"
            print("addendum \(position) \(answer["addendum_id"]?.stringValue ?? "?")")
            if let receipt = answer["receipt"] {
                print("receipt " + String(decoding: receipt.canonicalBytes(), as: UTF8.self))
            }
        }
    }
}

/// The usage checks `attach` and `addendum` share.
private func checkRecordAndLanguage(_ recordID: String, _ lang: String?) throws {
    guard RecordID(text: recordID) != nil else { throw ValidationError("a record id is 32 lowercase hex digits") }
    if let lang, IntakeLanguage(rawValue: lang) == nil { throw ValidationError("--lang must be en, ru or kk") }
}

/// `--lang`, else the locale.
func messageLanguage(_ lang: String?) -> IntakeLanguage {
    lang.flatMap(IntakeLanguage.init(rawValue:)) ?? IntakeLanguage.fromEnvironment()
}

/// The withdrawal token from `file` (or standard input for `-`), trimmed and checked; exits when it is not one.
func readToken(_ file: String) -> String {
    // Read as a person types it from the slip: any case, spaces or dashes, prefix and check character optional.
    let typed = KeyTextInput.trimmed(String(decoding: readInput(file, limit: 4096), as: UTF8.self))
    switch WithdrawalSlip.parseToken(typed) {
    case .success(let token): return token
    case .failure(let typo): fail(UI.typo(UI.theKey, typo, expected: 52)(IntakeLanguage.fromEnvironment()), code: 64)
    }
}

import AmanatProtocol
import AmanatClient
import AmanatCrypto
import AmanatFormat
import AmanatForms
import AmanatJSON
import AmanatPartialFiles
import ArgumentParser
import Glibc

extension Amanat {
    struct SigningKeyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "signing-key",
            abstract: "Print amanatd's receipt-signing key, for key holders to pin.",
            discussion: """
                Key holders pass it to `amanat-keyholder verify --signing-key` and `amanat receipt verify`. Get it \
                once, on the intake host, and carry it to the offline machine by a separate path from the exports.
                """
        )

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let response = perform(options, "GET", Endpoint.signingKey)
            if options.json {
                printBody(response.body)
                return
            }
            guard case .object(let answer) = parseJSON(response.body), let text = answer["signing_key"]?.stringValue,
                  (try? SigningPublicKey(text: text)) != nil
            else {
                fail("malformed answer from amanatd")
            }
            print(text)
        }
    }

    struct ReceiptCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "receipt",
            abstract: "Check receipts offline.",
            subcommands: [VerifyReceipt.self]
        )
    }

    struct VerifyReceipt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check a receipt's signature offline, against the site's pinned signing key.",
            discussion: """
                RECEIPT is a file, or - for standard input, holding the receipt JSON object (the "receipt" member of \
                `amanat submit --json`) or the whole answer. Exit codes: 0 valid; 1 invalid or unreadable; 64 usage.
                """
        )

        @Argument(help: "The receipt file, or - for standard input.") var receipt: String
        @Option(name: .customLong("signing-key"), help: "The site's key, amanat-sig-… (from `amanat signing-key`).")
        var signingKey: String
        // --json comes from the shared options (the top-level command declares it too); --socket is unused here.
        @OptionGroup var options: GlobalOptions

        func run() throws {
            initialiseSodium()
            let json = options.json
            let key: SigningPublicKey
            do {
                key = try SigningPublicKey(input: signingKey)
            } catch {
                throw ValidationError("--signing-key: \(error)")
            }
            guard var value = try? JSONParser(maxDepth: 8).parse(readInput(receipt, limit: 1 << 16)) else {
                fail("\(receipt) is not JSON")
            }
            if case .object(let members) = value, let inner = members["receipt"] { value = inner }
            let parsed: Receipt
            do {
                parsed = try Receipt(json: value)
            } catch {
                fail("not a receipt: \(error)")
            }
            let valid = parsed.isValid(for: key)
            if json {
                print(String(decoding: JSONValue.object([
                    "valid": .bool(valid), "record_id": .string(parsed.recordID.text), "seq": .number(String(parsed.seq)),
                ]).canonicalBytes(), as: UTF8.self))
            } else if valid {
                print("valid: record \(parsed.recordID) is entry \(parsed.seq) of the ledger of \(key.text)")
            }
            guard valid else {
                fail(parsed.signingKey == key
                    ? "the receipt's signature does not verify: it was altered or forged"
                    : "the receipt was signed by \(parsed.signingKey.text), not by the given --signing-key")
            }
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw a testimony at the witness's request, with the number and key from their slip.",
            discussion: """
                amanatd erases the record's clear fields and envelopes, and its files and addenda; only its id, form \
                and date remain, with a withdrawn mark, and the ledger records the withdrawal. The record id and the \
                token are read as a person types them from the slip: any case, spaces or dashes between groups, with \
                or without the amanat-wt- prefix and the check character; a wrong check character is reported as a \
                typo. On a terminal, what is not given is asked for. Give the token with --token-file (a file, or - \
                for standard input) so that it stays out of the shell history and the process list.
                """
        )

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The record id (asked for on a terminal when left out).") var recordID: String?
        @Option(help: "Read the withdrawal token from this file, or - for standard input (asked for on a terminal).")
        var tokenFile: String?
        @Option(help: "The withdrawal token itself (visible to other users in the process list; prefer --token-file).")
        var token: String?
        @Option(help: "Language of questions and typo messages: en, ru or kk (default from the locale).")
        var lang: String?

        func validate() throws {
            guard tokenFile == nil || token == nil else { throw ValidationError("give at most one of --token-file and --token") }
            if let lang, IntakeLanguage(rawValue: lang) == nil { throw ValidationError("--lang must be en, ru or kk") }
        }

        func run() throws {
            let language = messageLanguage(lang)
            let onTerminal = isatty(STDIN_FILENO) == 1
            let typedID = recordID ?? (onTerminal ? ask(UI.askRecordID(language)) : nil)
            guard let typedID else { fail("give the record id") }
            let id: String
            switch WithdrawalSlip.parseRecordID(typedID) {
            case .success(let parsed): id = parsed
            case .failure(let typo): fail(UI.typo(UI.theNumber, typo, expected: 32)(language), code: 64)
            }
            let typedToken: String
            if let token {
                typedToken = token
            } else if tokenFile == nil || (tokenFile == "-" && onTerminal) {
                guard onTerminal else { fail("give the token with --token-file FILE (- for standard input)") }
                typedToken = ask(UI.askToken(language))
            } else {
                typedToken = String(decoding: readInput(tokenFile!, limit: 4096), as: UTF8.self)
            }
            let text: String
            switch WithdrawalSlip.parseToken(KeyTextInput.trimmed(typedToken)) {
            case .success(let parsed): text = parsed
            case .failure(let typo): fail(UI.typo(UI.theKey, typo, expected: 52)(language), code: 64)
            }
            let body = JSONValue.object(["record_id": .string(id), "token": .string(text)]).canonicalBytes()
            let response = perform(options, "POST", Endpoint.withdrawals, body: body, language: language)
            if options.json {
                printBody(response.body)
                return
            }
            printSafely(UI.withdrawn(id)(language))
        }

        /// One line typed on the terminal after `question`; the process exits if input ends.
        private func ask(_ question: String) -> String {
            _ = Array((question + " ").utf8).withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            guard let line = readLine() else { fail("no answer") }
            return line
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Admins: have amanatd write a consistent snapshot of the archive, with a fresh signed checkpoint.",
            discussion: """
                The snapshot holds ciphertext, clear fields and the ledger, and no server-only secrets. It is written \
                to a new file (mode 0600); an existing file is never overwritten. Check it on the offline machine with \
                `amanat-keyholder verify FILE --signing-key KEY --expect-head SEQ:HASH`, with the head this command \
                prints last (`head SEQ:HASH`, the signed ledger head): a copy cut short after it then fails.
                """
        )

        @OptionGroup var options: GlobalOptions
        @Option(help: "The new file to write.") var out: String

        func run() throws {
            // Interrupted (Ctrl-C, SIGTERM, a closed terminal), it removes the partial file before it dies.
            let (fd, error) = PartialFiles.create(out) {
                open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            }
            guard fd >= 0 else { fail("cannot create \(out): \(String(cString: strerror(error)))") }
            var written = 0
            var unbounded = options
            unbounded.timeoutSeconds = 0
            let client = unbounded.client
            let response: HTTPResponse
            do {
                response = try client.download(method: "POST", path: Endpoint.adminExport) { piece in
                    var offset = piece.startIndex
                    while offset < piece.endIndex {
                        let n = piece[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                        if n < 0 && errno == EINTR { continue }
                        guard n > 0 else {
                            let reason = String(cString: strerror(errno))
                            close(fd)
                            PartialFiles.removeAll()
                            fail("cannot write \(out): \(reason)")
                        }
                        offset += n
                        written += n
                    }
                }
            } catch {
                close(fd)
                PartialFiles.removeAll()
                fail(error.description, code: error.isConnectionFailure ? Exit.unreachable : Exit.failure)
            }
            guard response.status == 200 else {
                close(fd)
                PartialFiles.removeAll()
                failOnRefusal(options, response)
                fail("amanatd answered HTTP \(response.status) without a snapshot")
            }
            guard fsync(fd) == 0, close(fd) == 0 else {
                let reason = String(cString: strerror(errno))
                PartialFiles.removeAll()
                fail("cannot write \(out): \(reason)")
            }
            // Complete: it stays, even if printing the summary below fails (SIGPIPE on a closed standard output).
            PartialFiles.keep()
            let seq = response.values(forHeader: "Amanat-Ledger-Seq").first ?? "?"
            let count = response.values(forHeader: "Amanat-Record-Count").first ?? "?"
            let head = response.values(forHeader: "Amanat-Head-Hash").first ?? "?"
            // SEQ:HASH, what `amanat-keyholder verify --expect-head` takes: the archive must still hold this entry.
            let signedHead = LedgerHead(text: "\(seq):\(head)")?.text ?? "?"
            if options.json {
                print(String(decoding: JSONValue.object([
                    "file": .string(out), "bytes": .number(String(written)), "ledger_seq": .string(seq),
                    "record_count": .string(count), "head_hash": .string(head), "head": .string(signedHead),
                ]).canonicalBytes(), as: UTF8.self))
                return
            }
            printSafely("exported \(written) bytes to \(out): \(count) records")
            print("head \(signedHead)")
        }
    }
}

/// Prints what a stored testimony's answer holds: the record id first (for scripts), then the receipt and the
/// withdrawal token, with a note on standard error.
func printStored(_ answer: [String: JSONValue]) {
    guard let id = answer["record_id"]?.stringValue else { fail("malformed answer from amanatd") }
    printSafely(id)
    if let receipt = answer["receipt"] {
        printSafely("receipt " + String(decoding: receipt.canonicalBytes(), as: UTF8.self))
    }
    if let token = answer["withdrawal_token"]?.stringValue {
        printSafely("withdrawal-token " + token)
        // In the volunteer's language (from the locale), wrapped at word boundaries.
        let language = IntakeLanguage.fromEnvironment()
        let note = IntakeTerminal.wrap("amanat: " + UI.storedNote(language), width: 80).joined(separator: "\n")
        _ = Array((IntakeTerminal.printable(note) + "\n").utf8).withUnsafeBytes {
            write(STDERR_FILENO, $0.baseAddress, $0.count)
        }
        if case .success(let id) = WithdrawalSlip.parseRecordID(id), case .success(let token) = WithdrawalSlip.parseToken(token) {
            let slip = WithdrawalSlip.text(recordID: id, token: token, language: language)
            _ = Array(("\n" + IntakeTerminal.printable(slip)).utf8).withUnsafeBytes {
                write(STDERR_FILENO, $0.baseAddress, $0.count)
            }
        }
    }
}

func initialiseSodium() {
    do {
        try Sodium.initialise()
    } catch {
        fail("\(error)")
    }
}

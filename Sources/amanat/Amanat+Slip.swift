import AmanatJSON
import ArgumentParser
import Glibc

extension Amanat {
    /// Prints the witness's withdrawal slip again, for a printer, from what `amanat submit --json` printed.
    struct Slip: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the witness's withdrawal slip from the --json answer of submit (a file, or - for standard input).",
            discussion: """
                The slip shows the record id and the withdrawal token in groups of four, each line ended by a check \
                character that catches a mistyped character, in --lang en, ru or kk, and names no project or \
                organisation. It is plain text for a printer; print it, hand it over, and do not keep a copy.
                """
        )

        @Argument(help: "The JSON answer of `amanat submit --json`, or - for standard input.") var file: String = "-"
        @Option(help: "The witness's language: en, ru or kk (default from the locale).") var lang: String?

        func validate() throws {
            if let lang, IntakeLanguage(rawValue: lang) == nil { throw ValidationError("--lang must be en, ru or kk") }
        }

        func run() throws {
            let language = messageLanguage(lang)
            let answer = parseJSON(readInput(file, limit: 1 << 20))
            guard case .success(let id)? = answer["record_id"]?.stringValue.map(WithdrawalSlip.parseRecordID),
                case .success(let token)? = answer["withdrawal_token"]?.stringValue.map(WithdrawalSlip.parseToken)
            else { fail("not the --json answer of amanat submit: it needs record_id and withdrawal_token") }
            printBody(Array(WithdrawalSlip.text(recordID: id, token: token, language: language).utf8))
        }
    }
}

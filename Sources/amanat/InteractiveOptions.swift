import ArgumentParser
import Glibc

/// The options of `amanat submit` that concern the guided intake.
struct IntakeOptions: ParsableArguments {
    @Flag(help: "Walk through the form field by field on the terminal (the default when no file is given and stdin is a terminal).")
    var interactive = false

    @Option(help: "The language of the guided intake: en, ru or kk (default: from LC_ALL, LC_MESSAGES or LANG).")
    var lang: String?

    @Option(help: "The form to fill in with the guided intake (default: the only form, else a menu).")
    var form: String?

    @Flag(help: ArgumentHelp(
        "Continue a guided intake that stopped (a crash, a power cut) from its encrypted draft on the intake host: "
            + "asks for the draft code shown when it began."
    ))
    var resume = false

    @Flag(
        name: .customLong("no-draft"),
        help: "Keep no encrypted draft on the intake host: an interview that stops before it is sent is lost."
    )
    var noDraft = false

    /// The screen language: `--lang`, else the locale.
    var language: IntakeLanguage {
        lang.flatMap(IntakeLanguage.init(rawValue:)) ?? IntakeLanguage.fromEnvironment()
    }

    /// Whether `amanat submit` with these options and `file` runs the guided intake.
    func isGuided(file: String?) -> Bool {
        interactive || resume || (file == nil && isatty(STDIN_FILENO) == 1)
    }

    /// Usage checks that need the file argument too.
    func check(file: String?) throws {
        if let lang, IntakeLanguage(rawValue: lang) == nil {
            throw ArgumentParser.ValidationError("--lang must be en, ru or kk")
        }
        if let form, !Self.isFormID(form) {
            throw ArgumentParser.ValidationError("a form id has no spaces, slashes or special characters")
        }
        if (resume || noDraft) && file != nil {
            throw ArgumentParser.ValidationError(
                "--resume and --no-draft are for the guided intake, not a testimony file"
            )
        }
        if resume && (noDraft || form != nil) {
            throw ArgumentParser.ValidationError("--resume continues a draft under its own form, and keeps its draft")
        }
        if interactive && file != nil {
            throw ArgumentParser.ValidationError("give a testimony file or --interactive, not both")
        }
        if !isGuided(file: file) && file == nil {
            throw ArgumentParser.ValidationError("give a testimony file, - for standard input, or --interactive")
        }
    }

    static func isFormID(_ id: String) -> Bool {
        !id.isEmpty
            && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") }
    }
}

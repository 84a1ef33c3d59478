import AmanatProtocol
import AmanatForms
import AmanatJSON
import Glibc

extension Exit {
    /// The volunteer cancelled the guided intake (Ctrl-C or Ctrl-D); nothing was sent.
    static let cancelled: Int32 = 130
}

/// The guided intake behind `amanat submit --interactive`: asks for each field of a form on the terminal, checks
/// each answer as it is typed, shows everything for review, and sends the testimony once the volunteer confirms.
///
/// Answers are kept in memory only, as Swift strings (which cannot be reliably wiped; the terminal's read
/// buffers are). Nothing is written to disk, and core dumps are switched off.
struct InteractiveIntake {
    typealias Discarded = IntakeDiscarded

    let form: Form
    /// Reads the answers, and handles Ctrl-C and Ctrl-D.
    var prompter: IntakePrompter
    /// The answers given so far, by field name, as they will be sent (strings in NFC). Absent when not given.
    var answers: [String: JSONValue] = [:]
    /// While a field is corrected from the review: its current value, shown, kept by Enter, cleared by `-`.
    var keeping: JSONValue?
    /// The evidence files to send with the testimony, opened and checked when added.
    var files: [EvidenceFile] = []
    /// `--sealed-to`, for the files' keys and names.
    var sealedTo: String?
    /// The encrypted draft on the intake host, saved after every answer; nil when none is kept.
    var draft: IntakeDraft?
    /// The files' finished uploads, kept from one try of sending to the next.
    let kept = KeptUploads()

    var terminal: IntakeTerminal { prompter.terminal }
    var language: IntakeLanguage { prompter.language }

    /// Runs `amanat submit` as a guided intake and exits.
    static func run(options: GlobalOptions, intake: IntakeOptions, evidence: EvidenceOptions) -> Never {
        IntakeTerminal.forbidCoreDumps()
        let language = intake.language
        let terminal: IntakeTerminal
        do {
            terminal = try IntakeTerminal()
        } catch {
            fail(error.description, code: 64, hint: "give a testimony file, or - for standard input")
        }
        var resumed: (IntakeDraft, IntakeDraft.Snapshot)?
        if intake.resume {
            do throws(Discarded) {
                resumed = try resume(options: options, terminal: terminal, language: language)
            } catch {
                terminal.close()
                exit(Exit.cancelled)
            }
        }
        let formID = resumed?.1.form ?? intake.form
        let form = fetchForm(options: options, id: formID, terminal: terminal, language: language)
        var session = InteractiveIntake(form: form, prompter: IntakePrompter(terminal: terminal, language: language))
        session.sealedTo = evidence.sealedTo
        for path in evidence.attach {
            do {
                session.files.append(try EvidenceFile(path: path))
            } catch {
                terminal.close()
                fail(error.message(language), code: error.code)
            }
        }
        do throws(Discarded) {
            if case let (draft, snapshot)? = resumed {
                session.draft = draft
                session.restore(snapshot)
                session.prompter.anythingEntered = true
                if snapshot.next < form.fields.count {
                    try session.fillIn(from: snapshot.next)
                    try session.askFiles()
                    session.saveDraft(next: form.fields.count)
                }
            } else {
                try session.fillIn(from: 0, options: options, keepDraft: !intake.noDraft)
                try session.askFiles()
                session.saveDraft(next: form.fields.count)
            }
            try session.reviewAndSend(options: options)
        } catch {
            session.answers.removeAll()
            session.kept.discard()
            terminal.wipeScreen()
            terminal.say(UI.discarded(language))
            session.deleteDraft()
            terminal.close()
            exit(Exit.cancelled)
        }
        terminal.close()
        exit(0)
    }

    /// The form from amanatd: the one named, the only one, or the one the volunteer picks.
    private static func fetchForm(
        options: GlobalOptions, id: String?, terminal: IntakeTerminal, language: IntakeLanguage
    ) -> Form {
        var formID = id
        if formID == nil {
            let list = parseJSON(perform(options, "GET", Endpoint.forms, language: language).body)
            let entries = list["forms"]?.arrayValue ?? []
            let usable = entries.filter { $0["id"]?.stringValue.map(IntakeOptions.isFormID) == true }
            let ids = usable.compactMap { $0["id"]?.stringValue }
            guard !ids.isEmpty else { fail("amanatd offers no forms") }
            if ids.count == 1 {
                formID = ids[0]
            } else {
                terminal.say(UI.chooseForm(language))
                for (index, entry) in usable.enumerated() {
                    let title = entry["title"]?[language.rawValue]?.stringValue ?? ""
                    terminal.say("\(index + 1)) \(title) [\(ids[index])]", indent: "  ")
                }
                var chooser = IntakePrompter(terminal: terminal, language: language)
                do throws(Discarded) {
                    formID = ids[try chooser.pickNumber(count: ids.count) - 1]
                } catch {
                    terminal.close()
                    exit(Exit.cancelled)
                }
            }
        }
        let chosen = formID!
        do {
            return try Form(json: parseJSON(perform(options, "GET", Endpoint.form(chosen), language: language).body))
        } catch {
            fail("cannot use form \(chosen): \(error)")
        }
    }

    // MARK: Asking

    /// Asks for every field in order from the one at `start` (after the introduction and the draft's code, for a new
    /// interview: `options` given), saving the draft after each answer.
    mutating func fillIn(from start: Int, options: GlobalOptions? = nil, keepDraft: Bool = false) throws(Discarded) {
        terminal.write("\n")
        terminal.say("\(form.title(language)) (\(form.id), v\(form.version))")
        if let description = form.description { terminal.say(description(language)) }
        terminal.write("\n")
        terminal.say(UI.intro(language))
        if let options { startDraft(options: options, enabled: keepDraft) }
        for (index, field) in form.fields.enumerated() where index >= start {
            answers[field.name] = try ask(field, heading: "[\(index + 1)/\(form.fields.count)] ")
            saveDraft(next: index + 1)
        }
    }

    /// Shows `field`'s heading, help and hint, then asks until the answer is valid. Nil means not given.
    mutating func ask(_ field: FormField, heading: String) throws(Discarded) -> JSONValue? {
        let status = field.required ? "* (\(UI.required(language)))" : "(\(UI.optional(language)))"
        terminal.write("\n")
        terminal.say("\(heading)\(field.label(language)) \(status)")
        if let help = field.help { terminal.say(help(language), indent: "  ") }
        if let keeping {
            terminal.say(UI.currentValue(language), indent: "  ")
            for line in render(keeping, of: field, indent: "    ") { terminal.write(line + "\n") }
            terminal.say((field.required ? UI.keepHint : UI.keepOrClearHint)(language), indent: "  ")
        }
        switch field.type {
        case .line: return try askLine(field)
        case .text: return try askText(field)
        case .date: return try askDate(field)
        case .enumeration: return try askOption(field)
        case .enumerationList: return try askOptions(field)
        case .bool: return try askBool(field)
        case .records: return try askRecords(field)
        }
    }

    private mutating func askLine(_ field: FormField) throws(Discarded) -> JSONValue? {
        while true {
            let answer = try prompter.readOneLine().trimmingSpaces
            if let value = cleared(answer, for: field) { return value.answer }
            if let value = accept(answer.isEmpty ? nil : .string(answer), for: field) { return value.answer }
        }
    }

    private mutating func askText(_ field: FormField) throws(Discarded) -> JSONValue? {
        terminal.say(UI.textHint(language), indent: "  ")
        while true {
            let text = try readText()
            let given = text.unicodeScalars.allSatisfy { $0 == " " || $0 == "\n" || $0 == "\t" } ? nil : text
            if let value = accept(given.map(JSONValue.string), for: field) { return value.answer }
        }
    }

    /// Reads lines up to one holding only `.`, and joins them with line feeds.
    mutating func readText() throws(Discarded) -> String {
        var lines: [String] = []
        while true {
            let line = try prompter.readAnswer("")
            if line == "." { break }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Corrects a `text` field that has a value: keep it, add lines at its end, or type it again. Retyping a long
    /// account to fix one sentence is what this spares the volunteer; there is no editor, to keep it off disk.
    mutating func correctText(_ field: FormField, current: String, heading: String) throws(Discarded) {
        terminal.write("\n")
        terminal.say("\(heading)\(field.label(language))")
        terminal.say(UI.textCorrection(language), indent: "  ")
        switch try prompter.pickNumber(count: 3) {
        case 1:
            return
        case 2:
            terminal.say(UI.textHint(language), indent: "  ")
            let added = try readText()
            guard !added.isEmpty else { return }
            if let value = accept(.string(current + "\n" + added), for: field) { answers[field.name] = value.answer }
        default:
            answers[field.name] = try ask(field, heading: heading)
        }
    }

    private mutating func askDate(_ field: FormField) throws(Discarded) -> JSONValue? {
        terminal.say(UI.dateHint(language), indent: "  ")
        while true {
            var answer = try prompter.readOneLine().trimmingSpaces
            if let value = cleared(answer, for: field) { return value.answer }
            if let converted = DateInput.iso(fromDotted: answer) {
                terminal.say(UI.dateConverted(answer, converted)(language), indent: "  ")
                answer = converted
            }
            if DateInput.isFuture(answer) {
                terminal.say(UI.dateInFuture(language))
                continue
            }
            if let value = accept(answer.isEmpty ? nil : .string(answer), for: field) { return value.answer }
        }
    }

    private func showMenu(_ field: FormField) {
        for (index, option) in field.options.enumerated() {
            let number = "\(index + 1))".padding(to: 4)
            var lines = IntakeTerminal.wrap(option.label(language), width: terminal.width, indent: "      ")
            lines[0] = "  " + number + lines[0].dropFirst(6)
            terminal.write(lines.joined(separator: "\n") + "\n")
        }
    }

    private mutating func askOption(_ field: FormField) throws(Discarded) -> JSONValue? {
        showMenu(field)
        terminal.say(UI.enumHint(language), indent: "  ")
        while true {
            let answer = try prompter.readOneLine().trimmingSpaces
            if let value = cleared(answer, for: field) { return value.answer }
            if answer.isEmpty {
                if let value = accept(nil, for: field) { return value.answer }
                continue
            }
            guard let number = Int(answer), (1...field.options.count).contains(number) else {
                terminal.say(UI.pickNumber(field.options.count)(language))
                continue
            }
            if let value = accept(.string(field.options[number - 1].value), for: field) { return value.answer }
        }
    }

    private mutating func askOptions(_ field: FormField) throws(Discarded) -> JSONValue? {
        showMenu(field)
        terminal.say(UI.enumListHint(language), indent: "  ")
        askAgain: while true {
            let answer = try prompter.readOneLine().trimmingSpaces
            if let value = cleared(answer, for: field) { return value.answer }
            var values: [JSONValue] = []
            for piece in answer.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" }) {
                guard let number = Int(piece), (1...field.options.count).contains(number) else {
                    terminal.say(UI.pickNumber(field.options.count)(language))
                    continue askAgain
                }
                values.append(.string(field.options[number - 1].value))
            }
            if let value = accept(values.isEmpty ? nil : .array(values), for: field) { return value.answer }
        }
    }

    private mutating func askBool(_ field: FormField) throws(Discarded) -> JSONValue? {
        let question = "\(UI.boolHint(language)) \(UI.yes(language))/\(UI.no(language)) (y/n)"
        while true {
            let answer = try prompter.readOneLine(question + " ").trimmingSpaces.lowercased()
            if let value = cleared(answer, for: field) { return value.answer }
            if answer.isEmpty {
                if let value = accept(nil, for: field) { return value.answer }
                continue
            }
            if UI.yesWords.contains(answer) { return .bool(true) }
            if UI.noWords.contains(answer) { return .bool(false) }
            terminal.say(UI.answerYesNo(language))
        }
    }

    private mutating func askRecords(_ field: FormField) throws(Discarded) -> JSONValue? {
        var entries: [JSONValue] = []
        var question = UI.addEntry(field.label(language))(language)
        while entries.count < (field.maxItems ?? Int.max) {
            guard try prompter.askYesNo(question, default: false) else {
                if entries.isEmpty && field.required {
                    terminal.say(UI.isRequired(language))
                    continue
                }
                break
            }
            entries.append(try askEntry(field, number: entries.count + 1))
            question = UI.addAnother(language)
        }
        return entries.isEmpty ? nil : .array(entries)
    }

    /// Asks for one entry of a `records` field, sub-field by sub-field. Correcting an entry (`current`), each
    /// sub-field shows its value and Enter keeps it, so that one sub-field is corrected without retyping the rest.
    mutating func askEntry(_ field: FormField, number: Int, current: JSONValue? = nil) throws(Discarded) -> JSONValue {
        var entry: [String: JSONValue] = [:]
        let heading = UI.entry(field.label(language), number)(language) + ": "
        for subfield in field.subfields {
            keeping = current?[subfield.name]
            defer { keeping = nil }
            entry[subfield.name] = try ask(subfield, heading: heading)
        }
        return .object(entry)
    }

    private struct Accepted {
        let answer: JSONValue?
    }

    /// `-` typed while correcting an optional field: its value is removed. Nil (after saying why) for a required
    /// field, and when nothing is being corrected (then `-` is an ordinary answer).
    private func cleared(_ answer: String, for field: FormField) -> Accepted? {
        guard answer == "-", keeping != nil else { return nil }
        if field.required {
            terminal.say(UI.isRequired(language))
            return nil
        }
        return Accepted(answer: nil)
    }

    /// Checks an answer with the form's own validation. Returns it (in NFC) when accepted, with `answer` nil for
    /// an optional field left empty; returns nil, after saying why, when it is refused.
    private func accept(_ value: JSONValue?, for field: FormField) -> Accepted? {
        guard let value else {
            if let keeping { return Accepted(answer: keeping) }
            if field.required {
                terminal.say(UI.isRequired(language))
                return nil
            }
            return Accepted(answer: nil)
        }
        do {
            return Accepted(answer: try field.check(value))
        } catch {
            terminal.say(message(for: error, field: field))
            return nil
        }
    }

    /// The volunteer's explanation of a refused answer, in the screen language.
    private func message(for error: ValidationError, field: FormField) -> String {
        switch error.kind {
        case .missingField: UI.isRequired(language)
        case .tooLong: UI.tooLong(field.maxLength ?? 0)(language)
        case .tooManyItems: UI.tooMany(field.maxItems ?? 0)(language)
        case .invalidValue where field.type == .date: UI.badDate(language)
        case .invalidValue where field.type == .line || field.type == .text: UI.badCharacters(language)
        case .invalidValue where field.type == .enumerationList: UI.twice(language)
        default: UI.invalid(language)
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// Padded with spaces to `width` characters.
    func padding(to width: Int) -> String {
        String(self) + String(repeating: " ", count: Swift.max(0, width - count))
    }
}

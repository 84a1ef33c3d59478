import AmanatProtocol
import AmanatClient
import AmanatForms
import AmanatJSON
import Glibc

extension InteractiveIntake {
    /// Shows the whole testimony, lets the volunteer correct fields, and sends it once they type the send word.
    /// Returns once amanatd has stored it; exits when the volunteer gives up after a failure.
    mutating func reviewAndSend(options: GlobalOptions) throws(Discarded) {
        try showReview()
        while true {
            terminal.say(UI.reviewPrompt(language))
            terminal.say(UI.filesPrompt(language))
            let answer = try prompter.readAnswer().trimmingSpaces
            if UI.filesWords.contains(answer) {
                try askFiles()
                saveDraft(next: form.fields.count)
                try showReview()
                continue
            }
            if let number = Int(answer), (1...form.fields.count).contains(number) {
                let field = form.fields[number - 1]
                let heading = "[\(number)/\(form.fields.count)] "
                if field.type == .records {
                    try correctRecords(field)
                } else if field.type == .text, let current = answers[field.name]?.stringValue {
                    try correctText(field, current: current, heading: heading)
                } else {
                    keeping = answers[field.name]
                    defer { keeping = nil }
                    answers[field.name] = try ask(field, heading: heading)
                }
                saveDraft(next: form.fields.count)
                try showReview()
                continue
            }
            guard UI.sendWords.contains(answer.lowercased()) else { continue }
            do {
                _ = try form.validate(fields: .object(answers))
            } catch {
                terminal.say(UI.refused(error.detail)(language))
                continue
            }
            if try send(options: options) { return }
            try showReview()
        }
    }

    // MARK: Review screen

    /// Shows the whole testimony, a screenful at a time when it is longer than the terminal: a review of 75 lines
    /// would otherwise scroll most of itself away on a 24-line terminal before it is read.
    mutating func showReview() throws(Discarded) {
        var lines = ["", "==== \(UI.review(language)) ===="]
        lines += IntakeTerminal.wrap("\(form.title(language)) (\(form.id), v\(form.version))", width: terminal.width)
        for (index, field) in form.fields.enumerated() {
            lines.append("")
            lines += IntakeTerminal.wrap(
                "\(index + 1). \(field.label(language))\(field.required ? " *" : "")", width: terminal.width
            )
            lines += render(answers[field.name], of: field, indent: "    ")
        }
        lines.append("")
        lines += IntakeTerminal.wrap(UI.filesHeading(language), width: terminal.width)
        lines += fileLines(indent: "    ")
        lines.append("")
        // Room for the pager's line and the prompt after the last page.
        let page = terminal.height > 0 ? terminal.height - 2 : Int.max
        var shown = 0
        while shown < lines.count {
            let end = min(lines.count, shown + page)
            terminal.write(lines[shown..<end].joined(separator: "\n") + "\n")
            shown = end
            guard shown < lines.count else { break }
            let answer = try prompter.readAnswer(UI.morePrompt(shown, lines.count)(language) + " ").trimmingSpaces
            if answer.lowercased() == "q" { break }
        }
    }

    /// The lines showing `value`, as the volunteer reads it: option labels rather than stored values.
    func render(_ value: JSONValue?, of field: FormField, indent: String) -> [String] {
        guard let value else { return [indent + UI.notGiven(language)] }
        let width = terminal.width
        switch (field.type, value) {
        case (.enumeration, .string(let chosen)):
            return IntakeTerminal.wrap(optionLabel(chosen, of: field), width: width, indent: indent)
        case (.enumerationList, .array(let items)):
            return items.flatMap { item in
                IntakeTerminal.wrap("- " + optionLabel(item.stringValue ?? "", of: field), width: width, indent: indent)
            }
        case (.bool, .bool(let flag)):
            return [indent + (flag ? UI.yes : UI.no)(language)]
        case (.records, .array(let entries)):
            var lines: [String] = []
            for (number, entry) in entries.enumerated() {
                lines.append(indent + UI.entry(field.label(language), number + 1)(language))
                for subfield in field.subfields {
                    lines.append(indent + "  " + subfield.label(language) + ":")
                    lines += render(entry[subfield.name], of: subfield, indent: indent + "    ")
                }
            }
            return lines
        case (_, .string(let text)):
            return IntakeTerminal.wrap(text, width: width, indent: indent)
        default:
            return IntakeTerminal.wrap(value.canonicalString(), width: width, indent: indent)
        }
    }

    private func optionLabel(_ value: String, of field: FormField) -> String {
        field.options.first { $0.value == value }.map { $0.label(language) } ?? value
    }

    /// Corrects a `records` field: re-enter, add or remove entries.
    private mutating func correctRecords(_ field: FormField) throws(Discarded) {
        var entries = answers[field.name]?.arrayValue ?? []
        while true {
            terminal.write("\n")
            terminal.say(field.label(language))
            for line in render(entries.isEmpty ? nil : .array(entries), of: field, indent: "    ") {
                terminal.write(line + "\n")
            }
            terminal.say(UI.correctRecords(language))
            let answer = try prompter.readAnswer().trimmingSpaces
            if answer.isEmpty {
                if entries.isEmpty && field.required {
                    terminal.say(UI.isRequired(language))
                    continue
                }
                break
            }
            if answer == "+" {
                if entries.count < (field.maxItems ?? Int.max) {
                    entries.append(try askEntry(field, number: entries.count + 1))
                } else {
                    terminal.say(UI.tooMany(field.maxItems ?? 0)(language))
                }
            } else if answer.hasPrefix("-"), let number = Int(answer.dropFirst()), (1...entries.count).contains(number) {
                entries.remove(at: number - 1)
            } else if let number = Int(answer), (1...entries.count).contains(number) {
                entries[number - 1] = try askEntry(field, number: number, current: entries[number - 1])
            } else {
                terminal.say(UI.correctRecords(language))
            }
        }
        answers[field.name] = entries.isEmpty ? nil : .array(entries)
    }

    // MARK: Sending

    /// Sends the testimony. True once it is stored; false when amanatd refused it as invalid (back to review).
    /// Asks whether to retry after other failures, and exits when the volunteer declines.
    private mutating func send(options: GlobalOptions) throws(Discarded) -> Bool {
        guard files.isEmpty else { return try sendWithFiles(options: options) }
        // Every file was removed after a failed try: what was sent of them is of no use any more.
        kept.discard()
        var body = JSONValue.object([
            "form": .string(form.id), "fields": .object(answers),
        ]).canonicalBytes()
        defer { body.withUnsafeMutableBytes { raw in _ = raw.baseAddress.map { memset($0, 0, raw.count) } } }
        while true {
            terminal.say(UI.sending(language))
            let failureCode: Int32
            do {
                let response = try options.client.request(method: "POST", path: Endpoint.testimonies, body: body)
                if (200..<300).contains(response.status) {
                    // The testimony is stored: the answers leave the screen before the confirmation; its draft goes.
                    terminal.wipeScreen()
                    confirm(response, json: options.json)
                    deleteDraft()
                    return true
                }
                guard let code = showRefusal(response) else { return false }
                failureCode = code
            } catch {
                failureCode = showTransportFailure(error).code
            }
            if try !retryAfterFailure(exitCode: failureCode) { return false }
        }
    }

    /// Shows why amanatd did not store the testimony. Nil when it was refused as invalid (the volunteer goes back
    /// to the review to correct it); else the exit code should the volunteer give up.
    func showRefusal(_ response: HTTPResponse) -> Int32? {
        let detail = UI.refusal(response)(language)
        if response.status == 422 {
            terminal.say(UI.refused(detail)(language))
            return nil
        }
        terminal.say(UI.sendFailed(detail)(language))
        return response.status >= 500 ? Exit.serverFailed : Exit.refused
    }

    /// Shows a failure to reach amanatd, in the volunteer's language. `outcomeUnknown` when the request may have
    /// arrived (the connection broke or timed out after sending): then it may be stored.
    func showTransportFailure(_ error: ClientError) -> (code: Int32, outcomeUnknown: Bool) {
        let unknown = error.kind == .connectionLost || error.kind == .timedOut
        terminal.say(unknown ? UI.unknownOutcome(language) : UI.sendFailed(UI.transport(error)(language))(language))
        return (error.isConnectionFailure || unknown ? Exit.unreachable : Exit.failure, unknown)
    }

    /// After a failed send: true to try again, false to go back to the review; a confirmed discard ends the
    /// program with `exitCode`, nothing kept.
    mutating func retryAfterFailure(exitCode: Int32) throws(Discarded) -> Bool {
        switch try afterFailure() {
        case .retry:
            return true
        case .review:
            return false
        case .discard:
            answers.removeAll()
            files.removeAll()
            deleteDraft()
            kept.discard()
            terminal.say(UI.discarded(language))
            terminal.close()
            exit(exitCode)
        }
    }

    enum AfterFailure { case retry, review, discard }

    /// What to do once sending failed. Enter retries; the testimony is discarded only when the volunteer chooses it
    /// and then confirms, so that no single key, and no key pressed by habit, destroys an interview.
    mutating func afterFailure() throws(Discarded) -> AfterFailure {
        while true {
            for line in UI.afterFailure { terminal.say(line(language), indent: "  ") }
            let answer = try prompter.readAnswer().trimmingSpaces
            switch answer {
            case "", "1": return .retry
            case "2": return .review
            case "3":
                if try prompter.askYesNo(UI.confirmDiscard(language), default: false) { return .discard }
            default:
                terminal.say(UI.pickNumber(3)(language))
            }
        }
    }

    /// Prints the confirmation on standard output: the record id, and the receipt and withdrawal token when
    /// amanatd gives them.
    func confirm(_ response: HTTPResponse, json: Bool, binding: AttachmentBinding? = nil) {
        if json {
            guard let binding, case .object(let answer) = parseJSON(response.body) else {
                printBody(response.body)
                return
            }
            printBody(JSONValue.object(binding.described(answer)).canonicalBytes())
            return
        }
        let answer = parseJSON(response.body)
        guard let id = answer["record_id"]?.stringValue else { fail("malformed answer from amanatd") }
        func shown(_ value: JSONValue) -> String { value.stringValue ?? value.canonicalString() }
        var lines = ["", UI.stored(id)(language)]
        if let receipt = answer["receipt"] { lines.append(UI.receipt(shown(receipt))(language)) }
        if let token = answer["withdrawal_token"] {
            lines.append(UI.token(shown(token))(language))
            lines += IntakeTerminal.wrap(UI.tokenNote(language), width: terminal.width)
            // The slip the witness keeps: the record id and the token in groups, each with a check character.
            if case .success(let id) = WithdrawalSlip.parseRecordID(id),
                case .success(let token)? = token.stringValue.map(WithdrawalSlip.parseToken)
            {
                lines += ["", WithdrawalSlip.text(recordID: id, token: token, language: language)]
            }
        }
        printBody(Array(IntakeTerminal.printable(lines.joined(separator: "\n")).utf8))
        if let binding, case .object(let members) = answer { binding.printAttachments(members) }
    }
}

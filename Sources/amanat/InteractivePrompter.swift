/// Thrown when the volunteer discards the testimony.
struct IntakeDiscarded: Error {}

/// Asks the volunteer questions on the terminal. Ctrl-C and Ctrl-D discard everything, after asking once anything
/// has been typed; when the volunteer declines, the question is asked again.
struct IntakePrompter {
    let terminal: IntakeTerminal
    let language: IntakeLanguage
    /// Whether the volunteer has typed anything, which makes Ctrl-C ask before discarding.
    var anythingEntered = false

    /// Reads a line for `prompt`. Ctrl-C and Ctrl-D discard everything (after asking, once something has been
    /// typed); when the volunteer declines, the prompt is shown again.
    mutating func readAnswer(_ prompt: String = "> ") throws(IntakeDiscarded) -> String {
        while true {
            terminal.write(prompt)
            switch terminal.readLine() {
            case .line(let text):
                if terminal.lastLineMayBeCut { terminal.say(UI.lineCut(language)) }
                if !text.isEmpty { anythingEntered = true }
                return text
            case .invalidText:
                anythingEntered = true
                terminal.say(UI.notUTF8(language))
            case .interrupt, .endOfFile:
                terminal.write("\n")
                try confirmDiscard()
                terminal.say(UI.continuing(language))
            }
        }
    }

    /// Reads the answer to a question that takes one line. If more lines are already waiting, they came with it in
    /// one paste (nobody types a whole line within the moment it takes to read one), and they would silently answer
    /// the next questions: they are taken now, and the volunteer chooses what the answer is.
    mutating func readOneLine(_ prompt: String = "> ") throws(IntakeDiscarded) -> String {
        while true {
            let first = try readAnswer(prompt)
            guard terminal.moreInputWaiting() else { return first }
            var pasted = [first]
            while terminal.moreInputWaiting(), case .line(let text) = terminal.readLine() { pasted.append(text) }
            terminal.say(UI.pastedLines(pasted.count)(language))
            for line in pasted.prefix(5) { terminal.say("| " + line, indent: "  ") }
            for choice in UI.pastedChoices { terminal.say(choice(language), indent: "  ") }
            switch try readAnswer().trimmingSpaces {
            case "1": return first
            case "2": return pasted.map(\.trimmingSpaces).filter { !$0.isEmpty }.joined(separator: " ")
            default: terminal.say(UI.typeAgain(language))
            }
        }
    }

    /// Returns when the volunteer wants to go on; throws when everything is to be discarded.
    private mutating func confirmDiscard() throws(IntakeDiscarded) {
        guard anythingEntered else { throw IntakeDiscarded() }
        while true {
            terminal.write(UI.discard(language) + " ")
            switch terminal.readLine() {
            case .line(let text):
                let answer = text.trimmingSpaces.lowercased()
                if UI.yesWords.contains(answer) { throw IntakeDiscarded() }
                if answer.isEmpty || UI.noWords.contains(answer) { return }
                terminal.say(UI.answerYesNo(language))
            case .invalidText:
                terminal.say(UI.answerYesNo(language))
            case .interrupt, .endOfFile:
                // A second Ctrl-C, or end of input where no answer can come: discard.
                terminal.write("\n")
                throw IntakeDiscarded()
            }
        }
    }

    /// Asks yes or no; an empty answer is `defaultAnswer`.
    mutating func askYesNo(_ question: String, default defaultAnswer: Bool) throws(IntakeDiscarded) -> Bool {
        while true {
            let answer = try readAnswer(question + " ").trimmingSpaces.lowercased()
            if answer.isEmpty { return defaultAnswer }
            if UI.yesWords.contains(answer) { return true }
            if UI.noWords.contains(answer) { return false }
            terminal.say(UI.answerYesNo(language))
        }
    }

    /// Asks for a number from 1 to `count`.
    mutating func pickNumber(count: Int) throws(IntakeDiscarded) -> Int {
        while true {
            let answer = try readAnswer().trimmingSpaces
            if let number = Int(answer), (1...count).contains(number) { return number }
            terminal.say(UI.pickNumber(count)(language))
        }
    }
}

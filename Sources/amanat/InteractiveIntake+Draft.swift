import AmanatCrypto
import AmanatDraftSealing
import AmanatForms
import AmanatJSON
import Glibc

/// The guided intake's draft: started before the first question, saved after every answer, resumed with
/// `--resume`, and deleted when the testimony is sent or discarded.
extension InteractiveIntake {
    /// Starts a draft under a fresh code and says what is kept, where and for how long, with the code to write down.
    /// Without one (`--no-draft`, or an amanatd that keeps none) says that nothing survives a crash.
    mutating func startDraft(options: GlobalOptions, enabled: Bool) {
        guard enabled else {
            terminal.say(UI.noDraftKept(language))
            return
        }
        let code: DraftCode
        do {
            code = try DraftCode.random()
        } catch {
            terminal.say(UI.noDraftKept(language))
            return
        }
        var started = IntakeDraft(code: code, options: options)
        do {
            // An empty snapshot first: it tells the expiry, and that amanatd keeps drafts at all, before the code
            // is shown.
            try started.save(snapshot(next: 0, with: [:]))
        } catch {
            if case .other(let detail) = error { terminal.say(UI.draftNotSaved(detail)(language)) }
            terminal.say(UI.noDraftKept(language))
            return
        }
        draft = started
        showDraftCode()
    }

    /// The notice and the code, on a line of its own.
    func showDraftCode() {
        guard let draft else { return }
        terminal.say(UI.draftNotice(draft.expirySeconds)(language))
        let line = "    " + UI.draftCodeLabel(language) + "  " + draft.codeLine
        // On a narrow terminal the code goes on a line of its own, never broken inside.
        if IntakeTerminal.columns(Substring(line)) <= terminal.width {
            terminal.write("\n" + line + "\n\n")
        } else {
            terminal.write("\n  " + UI.draftCodeLabel(language) + "\n  " + draft.codeLine + "\n\n")
        }
    }

    /// The snapshot to save: the answers, the files and `next`, the field to ask next.
    func snapshot(next: Int, with fields: [String: JSONValue]? = nil) -> IntakeDraft.Snapshot {
        IntakeDraft.Snapshot(
            form: form.id, formVersion: form.version, fields: fields ?? answers, files: files.map(\.path), next: next
        )
    }

    /// Saves the interview so far, where `next` is the field to ask next (the number of fields once at the review).
    /// A failure is said once and does not stop the interview: the next answer tries again.
    mutating func saveDraft(next: Int) {
        guard var current = draft else { return }
        do {
            try current.save(snapshot(next: next))
            current.failing = false
        } catch {
            if !current.failing {
                let detail: String = switch error {
                case .other(let text): text
                case .notFound, .unsupported, .unreadable: "amanatd refused it"
                }
                terminal.say(UI.draftNotSaved(detail)(language))
            }
            current.failing = true
        }
        draft = current
    }

    /// Deletes the draft on the host: the testimony was sent or discarded. A failure leaves it to expire, and is said.
    mutating func deleteDraft() {
        guard let current = draft else { return }
        draft = nil
        do {
            try current.delete()
        } catch {
            terminal.say(UI.draftNotDeleted(current.expirySeconds)(language))
        }
    }

    /// `--resume`: asks for the code until a draft opens under it, and restores the answers and files. Returns the
    /// form and where to go on: the field to ask next, or the number of fields for the review.
    static func resume(
        options: GlobalOptions, terminal: IntakeTerminal, language: IntakeLanguage
    ) throws(Discarded) -> (IntakeDraft, IntakeDraft.Snapshot) {
        var prompter = IntakePrompter(terminal: terminal, language: language)
        while true {
            terminal.say(UI.askDraftCode(language))
            let typed = try prompter.readAnswer()
            // A code typed is no interview begun: Ctrl-C here ends at once.
            prompter.anythingEntered = false
            let code: DraftCode
            switch IntakeDraft.parse(typed) {
            case .success(let parsed): code = parsed
            case .failure(let typo):
                terminal.say(UI.typo(UI.theDraftCode, typo, expected: DraftCode.textLength)(language))
                continue
            }
            let draft = IntakeDraft(code: code, options: options)
            do {
                return (draft, try draft.load())
            } catch {
                switch error {
                case .notFound, .unsupported: terminal.say(UI.noSuchDraft(language))
                case .unreadable:
                    terminal.say(UI.draftUnreadable(language))
                    terminal.close()
                    exit(Exit.failure)
                case .other(let detail):
                    terminal.close()
                    fail(detail, code: Exit.unreachable)
                }
            }
        }
    }

    /// Puts a resumed snapshot's answers and files back, keeping only what still fits the form, and says so.
    mutating func restore(_ snapshot: IntakeDraft.Snapshot) {
        var dropped = 0
        for (name, value) in snapshot.fields {
            guard let field = form.field(named: name), let checked = try? field.check(value) else {
                dropped += 1
                continue
            }
            answers[name] = checked
        }
        if dropped > 0 { terminal.say(UI.answersDropped(dropped)(language)) }
        for path in snapshot.files {
            if let file = try? EvidenceFile(path: path) {
                files.append(file)
            } else {
                terminal.say(UI.fileGone(path)(language))
            }
        }
        terminal.say(UI.resumed(answers.count, form.fields.count)(language))
    }
}

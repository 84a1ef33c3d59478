/// The guided intake's words about drafts: what is kept of an unfinished interview, where, for how long, and how to
/// resume or discard it.
extension UI {
    /// A duration as the volunteer reads it: whole hours, else minutes (at least one).
    static func duration(_ seconds: Int) -> UIText {
        if seconds >= 3600 && seconds % 3600 == 0 || seconds >= 36_000 {
            let hours = (seconds + 1800) / 3600
            return UIText(en: "\(hours) h", ru: "\(hours) ч", kk: "\(hours) сағ")
        }
        let minutes = max(1, (seconds + 30) / 60)
        return UIText(en: "\(minutes) min", ru: "\(minutes) мин", kk: "\(minutes) мин")
    }

    /// Said before the first question when amanatd keeps drafts: replaces ``unfinished``.
    static func draftNotice(_ expiry: Int) -> UIText {
        let time = duration(expiry)
        return UIText(
            en: "So that a crash or a power cut does not lose the interview, the answers so far are kept on the intake "
                + "host after each question, encrypted with the code below, for \(time.en) after the last answer. "
                + "Nothing is kept on this computer. Without the code nobody can read them, not even the host's "
                + "administrators. They are deleted when the testimony is sent, when you discard it (Ctrl-C), or after "
                + "\(time.en). To continue after a crash, run \"amanat submit --resume\" and type the code: write it "
                + "on paper now if you want that, and destroy the paper once the testimony is sent.",
            ru: "Чтобы сбой или отключение питания не погубили опрос, ответы после каждого вопроса сохраняются на "
                + "сервере приёма, зашифрованные кодом ниже, на \(time.ru) после последнего ответа. На этом компьютере "
                + "ничего не сохраняется. Без кода их не прочтёт никто, даже администраторы сервера. Они удаляются, "
                + "когда показания отправлены, когда вы от них отказываетесь (Ctrl-C), или через \(time.ru). Чтобы "
                + "продолжить после сбоя, запустите «amanat submit --resume» и введите код: если это нужно, запишите "
                + "его сейчас на бумаге и уничтожьте бумагу, когда показания отправлены.",
            kk: "Ақау не жарықтың сөнуі сұхбатты жоғалтпауы үшін жауаптар әр сұрақтан кейін қабылдау серверінде "
                + "төмендегі кодпен шифрланып, соңғы жауаптан кейін \(time.kk) сақталады. Бұл компьютерде ештеңе "
                + "сақталмайды. Кодсыз оларды ешкім, тіпті сервер әкімшілері де оқи алмайды. Олар айғақ жіберілгенде, "
                + "сіз одан бас тартқанда (Ctrl-C) немесе \(time.kk) өткенде жойылады. Ақаудан кейін жалғастыру үшін "
                + "«amanat submit --resume» іске қосып, кодты теріңіз: қажет болса, оны қазір қағазға жазып алыңыз, "
                + "айғақ жіберілгеннен кейін қағазды жойыңыз."
        )
    }
    static let draftCodeLabel = UIText(en: "Draft code:", ru: "Код черновика:", kk: "Жоба коды:")
    static let theDraftCode = UIText(en: "The draft code", ru: "Код черновика", kk: "Жоба коды")
    /// When amanatd keeps no drafts (or `--no-draft`): nothing survives a crash.
    static let noDraftKept = UIText(
        en: "No draft is kept: the answers stay only in this program's memory until you send them. If it stops before "
            + "that (a crash, a power cut), nothing is kept anywhere, and the interview must be done again.",
        ru: "Черновик не сохраняется: ответы хранятся только в памяти этой программы, пока вы их не отправите. Если "
            + "она остановится раньше (сбой, отключение питания), ничего не сохранится, и опрос придётся провести "
            + "заново.",
        kk: "Жоба сақталмайды: жауаптар жібергенге дейін тек осы бағдарламаның жадында. Егер ол оған дейін тоқтаса "
            + "(ақау, жарықтың сөнуі), ештеңе сақталмайды, сұхбатты қайта өткізу керек."
    )
    static func draftNotSaved(_ detail: String) -> UIText {
        UIText(
            en: "(The draft could not be saved on the intake host: \(detail). The answers are still here; it is tried "
                + "again after the next answer.)",
            ru: "(Черновик не удалось сохранить на сервере приёма: \(detail). Ответы по-прежнему здесь; попытка "
                + "повторится после следующего ответа.)",
            kk: "(Жобаны қабылдау серверінде сақтау мүмкін болмады: \(detail). Жауаптар әлі осында; келесі жауаптан "
                + "кейін қайта байқап көреді.)"
        )
    }
    static let askDraftCode = UIText(
        en: "Type the draft code from the paper (spaces and dashes do not matter; Ctrl-C stops):",
        ru: "Введите код черновика с бумаги (пробелы и дефисы не важны; Ctrl-C — выход):",
        kk: "Қағаздағы жоба кодын теріңіз (бос орындар мен сызықшалар маңызды емес; Ctrl-C — шығу):"
    )
    static let noSuchDraft = UIText(
        en: "The intake host has no draft with this code for you: it was never saved, it has expired, or the testimony "
            + "was sent or discarded. Check the code, or start a new interview.",
        ru: "На сервере приёма нет вашего черновика с этим кодом: он не сохранялся, срок его хранения истёк, или "
            + "показания уже отправлены либо отменены. Проверьте код или начните опрос заново.",
        kk: "Қабылдау серверінде осы кодпен сіздің жобаңыз жоқ: ол сақталмаған, мерзімі өткен, немесе айғақ "
            + "жіберілген не бас тартылған. Кодты тексеріңіз немесе сұхбатты жаңадан бастаңыз."
    )
    static let draftUnreadable = UIText(
        en: "The draft with this code could not be opened: it was altered, or is not a draft of this program.",
        ru: "Черновик с этим кодом не удалось открыть: он изменён или создан не этой программой.",
        kk: "Осы кодпен жобаны ашу мүмкін болмады: ол өзгертілген немесе бұл бағдарламаның жобасы емес."
    )
    static func resumed(_ answered: Int, _ total: Int) -> UIText {
        UIText(
            en: "The draft is open: \(answered) of \(total) fields answered. It goes on where it stopped.",
            ru: "Черновик открыт: заполнено полей — \(answered) из \(total). Опрос продолжается с места остановки.",
            kk: "Жоба ашылды: \(total) өрістің \(answered) өрісі толтырылған. Сұхбат тоқтаған жерінен жалғасады."
        )
    }
    static func answersDropped(_ count: Int) -> UIText {
        UIText(
            en: "The form has changed since the draft was saved: \(count) answer(s) no longer fit it and were left "
                + "out.",
            ru: "Форма изменилась после сохранения черновика: ответов, которые ей больше не подходят и опущены, — "
                + "\(count).",
            kk: "Жоба сақталғаннан кейін нысан өзгерді: оған енді сәйкес келмейтін \(count) жауап алынып тасталды."
        )
    }
    static func fileGone(_ path: String) -> UIText {
        UIText(
            en: "A file added before can no longer be read and was left out: \(path)",
            ru: "Добавленный ранее файл больше не читается и опущен: \(path)",
            kk: "Бұрын қосылған файл енді оқылмайды, ол алынып тасталды: \(path)"
        )
    }
    /// The draft could not be deleted (amanatd unreachable): it stays, unreadable without the code, until it expires.
    static func draftNotDeleted(_ expiry: Int) -> UIText {
        let time = expiry > 0 ? duration(expiry) : UIText(en: "a while", ru: "некоторое время", kk: "біраз уақыт")
        return UIText(
            en: "The encrypted draft could not be deleted from the intake host now: it is deleted by itself within "
                + "\(time.en). Nobody can read it without the code; destroy the paper with the code.",
            ru: "Зашифрованный черновик сейчас не удалось удалить с сервера приёма: он удалится сам в течение "
                + "\(time.ru). Без кода его никто не прочтёт; уничтожьте бумагу с кодом.",
            kk: "Шифрланған жобаны қазір қабылдау серверінен жою мүмкін болмады: ол \(time.kk) ішінде өзі жойылады. "
                + "Кодсыз оны ешкім оқи алмайды; коды жазылған қағазды жойыңыз."
        )
    }
}

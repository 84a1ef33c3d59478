import AmanatFormat
import AmanatForms
import Glibc

/// The languages of the guided intake's screens: those the forms carry labels in.
enum IntakeLanguage: String, CaseIterable {
    case en, ru, kk

    /// The language named by the locale variables, in POSIX order of precedence (`LC_ALL`, `LC_MESSAGES`, `LANG`):
    /// `ru…` gives Russian, `kk…` Kazakh, anything else English.
    static func fromEnvironment() -> IntakeLanguage {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let raw = getenv(name), raw.pointee != 0 else { continue }
            let value = String(cString: raw).lowercased()
            if value.hasPrefix("ru") { return .ru }
            if value.hasPrefix("kk") { return .kk }
            return .en
        }
        return .en
    }
}

/// One piece of screen text in every intake language.
struct UIText {
    let en: String
    let ru: String
    let kk: String

    func callAsFunction(_ language: IntakeLanguage) -> String {
        switch language {
        case .en: en
        case .ru: ru
        case .kk: kk
        }
    }
}

extension LocalizedText {
    func callAsFunction(_ language: IntakeLanguage) -> String { text(in: language.rawValue) }
}

/// The guided intake's screen texts. Field labels and help come from the form itself.
enum UI {
    static let intro = UIText(
        en: "Fields marked * are required; the others may be left empty. Press Enter on an empty line to skip an "
            + "optional field. Nothing is sent before you confirm at the end. Ctrl-C cancels.",
        ru: "Поля, отмеченные *, обязательны; остальные можно оставить пустыми. Чтобы пропустить необязательное "
            + "поле, нажмите Enter на пустой строке. Ничего не отправляется, пока вы не подтвердите в конце. "
            + "Ctrl-C — отмена.",
        kk: "* белгісі бар өрістер міндетті; қалғандарын бос қалдыруға болады. Міндетті емес өрісті өткізіп жіберу "
            + "үшін бос жолда Enter пернесін басыңыз. Соңында растамайынша ештеңе жіберілмейді. Ctrl-C — бас тарту."
    )
    static let required = UIText(en: "required", ru: "обязательно", kk: "міндетті")
    static let optional = UIText(en: "optional", ru: "необязательно", kk: "міндетті емес")
    static let textHint = UIText(
        en: "Type the text over as many lines as needed. A line holding only a full stop (.) ends it.",
        ru: "Вводите текст в столько строк, сколько нужно. Строка, содержащая только точку (.), завершает ввод.",
        kk: "Мәтінді қанша жол керек болса, сонша жолға жазыңыз. Тек нүкте (.) тұрған жол мәтінді аяқтайды."
    )
    static let dateHint = UIText(
        en: "A date as YYYY-MM-DD (or DD.MM.YYYY), or YYYY-MM or YYYY when only the month or year is known.",
        ru: "Дата в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД, или ММ.ГГГГ, или ГГГГ, если известны только месяц или год. "
            + "Пример: 15.07.1985, 07.1985, 1985.",
        kk: "Күні КК.АА.ЖЖЖЖ не ЖЖЖЖ-АА-КК түрінде, тек айы не жылы белгілі болса, АА.ЖЖЖЖ не ЖЖЖЖ түрінде. "
            + "Мысалы: 15.07.1985, 07.1985, 1985."
    )
    static let enumHint = UIText(
        en: "Type the number of one option.",
        ru: "Введите номер одного варианта.",
        kk: "Бір нұсқаның нөмірін жазыңыз."
    )
    static let enumListHint = UIText(
        en: "Type the numbers of every option that applies, separated by spaces or commas.",
        ru: "Введите номера всех подходящих вариантов через пробел или запятую.",
        kk: "Сәйкес келетін барлық нұсқалардың нөмірлерін бос орын не үтір арқылы жазыңыз."
    )
    static let boolHint = UIText(en: "Answer yes or no.", ru: "Ответьте да или нет.", kk: "Иә немесе жоқ деп жауап беріңіз.")
    static let yesNo = UIText(en: "[y/N]", ru: "[д/Н]", kk: "[и/Ж]")
    static let yes = UIText(en: "yes", ru: "да", kk: "иә")
    static let no = UIText(en: "no", ru: "нет", kk: "жоқ")
    static func addEntry(_ label: String) -> UIText {
        UIText(
            en: "Add an entry to \u{201C}\(label)\u{201D}? \(yesNo.en)",
            ru: "Добавить запись в «\(label)»? \(yesNo.ru)",
            kk: "«\(label)» бөліміне жазба қосасыз ба? \(yesNo.kk)"
        )
    }
    static let addAnother = UIText(
        en: "Add another entry? \(yesNo.en)", ru: "Добавить ещё одну запись? \(yesNo.ru)",
        kk: "Тағы бір жазба қосасыз ба? \(yesNo.kk)"
    )
    static func entry(_ label: String, _ number: Int) -> UIText {
        UIText(en: "\(label), entry \(number)", ru: "\(label), запись \(number)", kk: "\(label), \(number)-жазба")
    }
    static func entries(_ count: Int) -> UIText {
        UIText(en: "\(count) entries", ru: "записей: \(count)", kk: "жазба саны: \(count)")
    }

    // Answers that are refused.
    static let isRequired = UIText(
        en: "This field is required.", ru: "Это поле обязательно.", kk: "Бұл өріс міндетті."
    )
    static func pickNumber(_ count: Int) -> UIText {
        UIText(
            en: "Type a number from 1 to \(count).", ru: "Введите число от 1 до \(count).",
            kk: "1 мен \(count) аралығындағы санды жазыңыз."
        )
    }
    static let badDate = UIText(
        en: "That is not a valid date as YYYY, YYYY-MM or YYYY-MM-DD.",
        ru: "Это не дата в виде ГГГГ, ГГГГ-ММ или ГГГГ-ММ-ДД (или такой даты нет).",
        kk: "Бұл ЖЖЖЖ, ЖЖЖЖ-АА не ЖЖЖЖ-АА-КК түріндегі дұрыс күн емес."
    )
    static func dateConverted(_ typed: String, _ iso: String) -> UIText {
        UIText(en: "\(typed) is read as \(iso).", ru: "\(typed) записано как \(iso).", kk: "\(typed) \(iso) деп жазылды.")
    }
    static let dateInFuture = UIText(
        en: "That date is in the future.", ru: "Эта дата ещё не наступила.", kk: "Бұл күн әлі келген жоқ."
    )
    static func tooLong(_ limit: Int) -> UIText {
        UIText(
            en: "The answer is longer than \(limit) characters.",
            ru: "Ответ длиннее \(limit) символов.",
            kk: "Жауап \(limit) таңбадан ұзын."
        )
    }
    static func tooMany(_ limit: Int) -> UIText {
        UIText(en: "At most \(limit) entries.", ru: "Не больше \(limit) записей.", kk: "Ең көбі \(limit) жазба.")
    }
    static let twice = UIText(
        en: "Each option may be chosen only once.", ru: "Каждый вариант можно выбрать только один раз.",
        kk: "Әр нұсқаны бір рет қана таңдауға болады."
    )
    static let badCharacters = UIText(
        en: "The answer contains control characters, or line breaks where only one line is allowed.",
        ru: "Ответ содержит управляющие символы или переводы строки там, где допустима одна строка.",
        kk: "Жауапта басқару таңбалары бар немесе бір жол ғана рұқсат етілген жерде жол ауыстыру бар."
    )
    static let invalid = UIText(
        en: "This answer is not accepted for this field.", ru: "Такой ответ для этого поля не принимается.",
        kk: "Бұл өріс үшін мұндай жауап қабылданбайды."
    )
    static let notUTF8 = UIText(
        en: "The input is not valid UTF-8 text; check the keyboard and terminal settings and type it again.",
        ru: "Ввод не является текстом UTF-8; проверьте настройки клавиатуры и терминала и введите ещё раз.",
        kk: "Енгізілген мәтін UTF-8 емес; пернетақта мен терминал баптауларын тексеріп, қайта жазыңыз."
    )
    static let answerYesNo = UIText(
        en: "Answer y (yes) or n (no).", ru: "Ответьте д (да) или н (нет).", kk: "и (иә) немесе ж (жоқ) деп жауап беріңіз."
    )
    static let lineCut = UIText(
        en: "Warning: this line reached the terminal's limit of 4095 bytes and may have been cut. Type long "
            + "paragraphs as several lines, and check the text at review.",
        ru: "Внимание: эта строка достигла предела терминала в 4095 байт и могла быть обрезана. Вводите длинные "
            + "абзацы в несколько строк и проверьте текст при просмотре.",
        kk: "Назар аударыңыз: бұл жол терминалдың 4095 байт шегіне жетті, қысқарып қалуы мүмкін. Ұзын абзацтарды "
            + "бірнеше жолға бөліп жазыңыз да, мәтінді қарап шығу кезінде тексеріңіз."
    )

    // Review and sending.
    static let review = UIText(
        en: "Review the testimony before sending", ru: "Проверьте показания перед отправкой",
        kk: "Жіберер алдында айғақты тексеріңіз"
    )
    static let notGiven = UIText(en: "(not given)", ru: "(не указано)", kk: "(көрсетілмеген)")
    static let reviewPrompt = UIText(
        en: "Type a field number to correct that field, or \u{201C}send\u{201D} to send the testimony.",
        ru: "Введите номер поля, чтобы исправить его, или «отправить», чтобы отправить показания.",
        kk: "Өрісті түзету үшін оның нөмірін жазыңыз, айғақты жіберу үшін «жіберу» деп жазыңыз."
    )
    static let correctRecords = UIText(
        en: "Type an entry number to enter that entry again, + to add an entry, -N to remove entry N, or an "
            + "empty line when done.",
        ru: "Введите номер записи, чтобы ввести её заново, + чтобы добавить запись, -N чтобы удалить запись N, "
            + "или пустую строку, чтобы закончить.",
        kk: "Жазбаны қайта енгізу үшін оның нөмірін, жазба қосу үшін +, N-жазбаны өшіру үшін -N жазыңыз, "
            + "аяқтасаңыз, бос жолда Enter басыңыз."
    )
    static let textCorrection = UIText(
        en: "1) keep the text as it is   2) add lines at its end   3) type it all again",
        ru: "1) оставить текст как есть   2) дописать строки в конец   3) ввести весь текст заново",
        kk: "1) мәтінді сол күйінде қалдыру   2) соңына жол қосу   3) бәрін қайта жазу"
    )
    static let discard = UIText(
        en: "Discard everything that was entered? \(yesNo.en)", ru: "Удалить всё введённое? \(yesNo.ru)",
        kk: "Енгізілгеннің бәрін жоясыз ба? \(yesNo.kk)"
    )
    static let discarded = UIText(
        en: "Discarded. Nothing was sent.", ru: "Удалено. Ничего не отправлено.", kk: "Жойылды. Ештеңе жіберілмеді."
    )
    static let continuing = UIText(
        en: "Continuing; answer the question again.", ru: "Продолжаем; ответьте на вопрос ещё раз.",
        kk: "Жалғастырамыз; сұраққа қайта жауап беріңіз."
    )
    static let sending = UIText(en: "Sending…", ru: "Отправка…", kk: "Жіберілуде…")
    static func stored(_ id: String) -> UIText {
        UIText(
            en: "The testimony was stored. Record id: \(id)",
            ru: "Показания сохранены. Номер записи: \(id)",
            kk: "Айғақ сақталды. Жазба нөмірі: \(id)"
        )
    }
    static func receipt(_ text: String) -> UIText {
        UIText(en: "Receipt: \(text)", ru: "Квитанция: \(text)", kk: "Түбіртек: \(text)")
    }
    static func token(_ text: String) -> UIText {
        UIText(en: "Withdrawal token: \(text)", ru: "Код отзыва: \(text)", kk: "Кері қайтарып алу коды: \(text)")
    }
    static let tokenNote = UIText(
        en: "Give the withdrawal token to the witness now. It is shown only once and cannot be shown again.",
        ru: "Передайте код отзыва свидетелю сейчас. Он показывается только один раз.",
        kk: "Кері қайтарып алу кодын куәгерге қазір беріңіз. Ол бір рет қана көрсетіледі, қайта көрсетілмейді."
    )
    static func refused(_ detail: String) -> UIText {
        UIText(
            en: "amanatd refused the testimony: \(detail). Correct it and send it again.",
            ru: "amanatd не принял показания: \(detail). Исправьте и отправьте снова.",
            kk: "amanatd айғақты қабылдамады: \(detail). Түзетіп, қайта жіберіңіз."
        )
    }
    static func sendFailed(_ detail: String) -> UIText {
        UIText(
            en: "Sending failed: \(detail).", ru: "Отправить не удалось: \(detail).", kk: "Жіберу сәтсіз аяқталды: \(detail)."
        )
    }
    static let unknownOutcome = UIText(
        en: "No answer came back: it is unknown whether the testimony was stored. If you send it again, tell the "
            + "case workers it may be a duplicate.",
        ru: "Ответ не пришёл: неизвестно, сохранены ли показания. Если отправите их снова, предупредите "
            + "сотрудников, что это может быть дубликат.",
        kk: "Жауап келмеді: айғақтың сақталған-сақталмағаны белгісіз. Қайта жіберсеңіз, қызметкерлерге оның "
            + "қайталанған жазба болуы мүмкін екенін айтыңыз."
    )
    static func pastedLines(_ count: Int) -> UIText {
        UIText(
            en: "This answer takes one line, but \(count) lines came at once (pasted?):",
            ru: "Здесь нужна одна строка, но сразу пришло несколько строк (\(count); вставлено?):",
            kk: "Мұнда бір жол керек, бірақ бірден \(count) жол келді (қойылған ба?):"
        )
    }
    static let pastedChoices = [
        UIText(en: "1) Keep the first line", ru: "1) Оставить первую строку", kk: "1) Бірінші жолды қалдыру"),
        UIText(en: "2) Join the lines with spaces", ru: "2) Соединить строки через пробел", kk: "2) Жолдарды бос орынмен біріктіру"),
        UIText(en: "3) Type the answer again", ru: "3) Ввести ответ заново", kk: "3) Жауапты қайта жазу"),
    ]
    static let typeAgain = UIText(en: "Type the answer again.", ru: "Введите ответ заново.", kk: "Жауапты қайта жазыңыз.")
    static func morePrompt(_ shown: Int, _ total: Int) -> UIText {
        UIText(
            en: "-- lines 1-\(shown) of \(total): Enter for more, q to stop --",
            ru: "-- строки 1-\(shown) из \(total): Enter — дальше, q — хватит --",
            kk: "-- \(total) жолдың 1-\(shown): Enter — әрі қарай, q — жеткілікті --"
        )
    }
    static let currentValue = UIText(en: "Now:", ru: "Сейчас:", kk: "Қазір:")
    static let keepHint = UIText(
        en: "Enter keeps it; or type the new answer.", ru: "Enter — оставить как есть; или введите новый ответ.",
        kk: "Enter — өзгертпеу; не жаңа жауапты жазыңыз."
    )
    static let keepOrClearHint = UIText(
        en: "Enter keeps it; - removes it; or type the new answer.",
        ru: "Enter — оставить как есть; - — удалить; или введите новый ответ.",
        kk: "Enter — өзгертпеу; - — өшіру; не жаңа жауапты жазыңыз."
    )
    static let afterFailure = [
        UIText(en: "1) Try sending again (Enter)", ru: "1) Отправить ещё раз (Enter)", kk: "1) Қайта жіберу (Enter)"),
        UIText(en: "2) Back to the review", ru: "2) Вернуться к проверке", kk: "2) Тексеруге оралу"),
        UIText(en: "3) Discard the testimony", ru: "3) Удалить показания", kk: "3) Айғақты жою"),
    ]
    static let confirmDiscard = UIText(
        en: "Discard everything typed, for good? Nothing has been sent. \(yesNo.en)",
        ru: "Удалить всё введённое безвозвратно? Ничего не отправлено. \(yesNo.ru)",
        kk: "Жазылғанның бәрін біржола жоясыз ба? Ештеңе жіберілген жоқ. \(yesNo.kk)"
    )
    static let chooseForm = UIText(en: "Choose a form:", ru: "Выберите форму:", kk: "Нысанды таңдаңыз:")

    /// Words accepted for yes, no and send, in every language: a volunteer may have either keyboard layout active.
    static let yesWords: AnswerWords = ["y", "yes", "д", "да", "и", "иә", "ия"]
    static let noWords: AnswerWords = ["n", "no", "н", "нет", "ж", "жоқ"]
    static let sendWords: AnswerWords = ["send", "отправить", "жіберу"]
}

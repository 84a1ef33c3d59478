/// The texts of evidence files and addenda: errors of `--attach`, `amanat attach` and `amanat addendum`, the retry
/// notes of an upload, and the guided intake's evidence step. One line each, in the volunteer's language.
extension UI {
    static func cannotRead(_ path: String, _ reason: String) -> UIText {
        UIText(
            en: "cannot read \(path): \(reason)", ru: "не удаётся прочитать \(path): \(reason)",
            kk: "\(path) оқылмады: \(reason)"
        )
    }
    static func notRegularFile(_ path: String) -> UIText {
        UIText(
            en: "\(path) is not a regular file (a directory, a device or a pipe cannot be attached)",
            ru: "\(path) — не обычный файл (папку, устройство или канал приложить нельзя)",
            kk: "\(path) кәдімгі файл емес (қалтаны, құрылғыны не арнаны тіркеуге болмайды)"
        )
    }
    static func badFileName(_ path: String) -> UIText {
        UIText(
            en: "the name of \(path) cannot be sent: it must be 1 to 255 bytes of UTF-8 without control characters; "
                + "rename the file",
            ru: "имя файла \(path) нельзя отправить: нужно от 1 до 255 байт UTF-8 без управляющих символов; "
                + "переименуйте файл",
            kk: "\(path) файлының атын жіберуге болмайды: ол басқару таңбаларынсыз 1–255 байт UTF-8 болуы керек; "
                + "файлдың атын өзгертіңіз"
        )
    }
    static func fileChanged(_ name: String) -> UIText {
        UIText(
            en: "\(name) changed while it was being sent; nothing of it was kept: send it again once it is complete",
            ru: "файл \(name) изменился во время отправки; ничего из него не сохранено: отправьте его снова, "
                + "когда он будет готов",
            kk: "\(name) файлы жіберіліп жатқанда өзгерді; одан ештеңе сақталмады: дайын болғанда қайта жіберіңіз"
        )
    }
    static func retrying(_ name: String, _ reason: String, seconds: Int, attempt: Int, of tries: Int) -> UIText {
        UIText(
            en: "sending \(name) was interrupted (\(reason)); trying again in \(seconds) s (\(attempt) of \(tries))",
            ru: "отправка \(name) прервалась (\(reason)); новая попытка через \(seconds) с (\(attempt) из \(tries))",
            kk: "\(name) жіберу үзілді (\(reason)); \(seconds) с кейін қайталанады (\(tries) әрекеттің \(attempt)-сі)"
        )
    }
    static func resumed(_ name: String, _ offset: String) -> UIText {
        UIText(
            en: "amanatd holds \(offset) of \(name); going on from there",
            ru: "у amanatd уже есть \(offset) файла \(name); продолжаем с этого места",
            kk: "amanatd-де \(name) файлының \(offset) бөлігі бар; сол жерден жалғастырамыз"
        )
    }
    static func gaveUp(_ name: String, _ reason: String, tries: Int) -> UIText {
        UIText(
            en: "could not send \(name) after \(tries) tries: \(reason)",
            ru: "не удалось отправить \(name) за \(tries) попыток: \(reason)",
            kk: "\(name) файлын \(tries) әрекетте жіберу мүмкін болмады: \(reason)"
        )
    }
    static func uploadGone(_ name: String) -> UIText {
        UIText(
            en: "amanatd no longer has what was sent of \(name) (it expired or was removed); sending it again from "
                + "the start",
            ru: "у amanatd больше нет отправленной части \(name) (срок истёк или она удалена); отправляем файл "
                + "заново с начала",
            kk: "amanatd-де \(name) файлының жіберілген бөлігі енді жоқ (мерзімі өтті не жойылды); файлды басынан "
                + "қайта жібереміз"
        )
    }
    static func uploadGoneAgain(_ name: String) -> UIText {
        UIText(
            en: "amanatd lost what was sent of \(name) twice; nothing was stored: try again later",
            ru: "amanatd дважды потерял отправленную часть \(name); ничего не сохранено: попробуйте позже",
            kk: "amanatd \(name) файлының жіберілген бөлігін екі рет жоғалтты; ештеңе сақталмады: кейінірек "
                + "қайталап көріңіз"
        )
    }
    static func uploadRefused(_ name: String, _ detail: String) -> UIText {
        UIText(
            en: "amanatd refused \(name): \(detail)", ru: "amanatd не принял \(name): \(detail)",
            kk: "amanatd \(name) файлын қабылдамады: \(detail)"
        )
    }
    static func unexpectedAnswer(_ name: String, _ detail: String) -> UIText {
        UIText(
            en: "unexpected answer from amanatd while sending \(name): \(detail)",
            ru: "неожиданный ответ amanatd при отправке \(name): \(detail)",
            kk: "\(name) жіберілгенде amanatd күтпеген жауап берді: \(detail)"
        )
    }
    static let cryptoFailed = UIText(
        en: "the file could not be encrypted (out of protected memory?)",
        ru: "файл не удалось зашифровать (не хватает защищённой памяти?)",
        kk: "файлды шифрлау мүмкін болмады (қорғалған жад жетпей ме?)"
    )
    static let discardedUploads = UIText(
        en: "what was sent of the files was removed from amanatd; nothing was stored",
        ru: "отправленные части файлов удалены из amanatd; ничего не сохранено",
        kk: "файлдардың жіберілген бөліктері amanatd-ден жойылды; ештеңе сақталмады"
    )
    static func filesReused(_ count: Int) -> UIText {
        UIText(
            en: "amanatd still holds \(count) of the files whole; they are not sent again",
            ru: "у amanatd уже есть целиком файлов: \(count); повторно они не отправляются",
            kk: "amanatd-де файлдардың \(count)-і толық сақталған; олар қайта жіберілмейді"
        )
    }
    static func retryingBinding(_ reason: String, seconds: Int, attempt: Int, of tries: Int) -> UIText {
        UIText(
            en: "sending the testimony was interrupted (\(reason)); the files sent are kept; trying again in "
                + "\(seconds) s (\(attempt) of \(tries))",
            ru: "отправка показаний прервалась (\(reason)); отправленные файлы сохраняются; новая попытка через "
                + "\(seconds) с (\(attempt) из \(tries))",
            kk: "айғақты жіберу үзілді (\(reason)); жіберілген файлдар сақталады; \(seconds) с кейін қайталанады "
                + "(\(tries) әрекеттің \(attempt)-сі)"
        )
    }
    static let bindingUnknown = UIText(
        en: "no answer came back, and amanatd no longer holds the files sent: the testimony was most likely stored "
            + "with them; if you submit it again, tell the case workers it may be a duplicate",
        ru: "ответ не пришёл, а у amanatd больше нет отправленных файлов: скорее всего, показания сохранены вместе с "
            + "ними; если отправите их снова, предупредите сотрудников, что это может быть дубликат",
        kk: "жауап келмеді, ал amanatd-де жіберілген файлдар енді жоқ: айғақ олармен бірге сақталған болуы ықтимал; "
            + "қайта жіберсеңіз, қызметкерлерге бұл қайталама болуы мүмкін екенін айтыңыз"
    )
    static func sendingFile(_ name: String) -> UIText {
        UIText(en: "sending \(name)", ru: "отправка \(name)", kk: "\(name) жіберілуде")
    }
    static let timeLeft = UIText(en: "left", ru: "осталось", kk: "қалды")
    static let attachmentsInFile = UIText(
        en: "the testimony file already has an \"attachments\" member: give files with --attach only",
        ru: "в файле показаний уже есть член \"attachments\": указывайте файлы только через --attach",
        kk: "айғақ файлында \"attachments\" мүшесі бар: файлдарды тек --attach арқылы беріңіз"
    )
    static let notAnObject = UIText(
        en: "the testimony file is not a JSON object", ru: "файл показаний — не объект JSON",
        kk: "айғақ файлы JSON нысаны емес"
    )
    static let addendumEmpty = UIText(
        en: "the addendum is empty: give a text (a file, or - for standard input) or --field name=value",
        ru: "дополнение пустое: укажите текст (файл или - для стандартного ввода) или --field имя=значение",
        kk: "толықтыру бос: мәтін (файл, не стандартты енгізу үшін -) не --field атауы=мәні беріңіз"
    )
}

/// The guided intake's evidence step.
extension UI {
    static let filesHeading = UIText(en: "Evidence files", ru: "Файлы-доказательства", kk: "Дәлел файлдары")
    static let filesHint = UIText(
        en: "Type the path of a file to add it (a photo, a scan, a recording, a video), -N to remove file N, or an "
            + "empty line when done. Files are encrypted on this computer before they are sent; they stay where they "
            + "are.",
        ru: "Введите путь к файлу, чтобы добавить его (фото, скан, запись, видео), -N, чтобы убрать файл N, или "
            + "пустую строку, чтобы закончить. Файлы шифруются на этом компьютере перед отправкой и остаются на "
            + "месте.",
        kk: "Файлды қосу үшін оның жолын жазыңыз (фото, скан, жазба, бейне), N-файлды алып тастау үшін -N, "
            + "аяқтасаңыз, бос жол. Файлдар жіберілер алдында осы компьютерде шифрланады және орнында қалады."
    )
    static let noFiles = UIText(en: "(no files)", ru: "(файлов нет)", kk: "(файл жоқ)")
    static let filesPrompt = UIText(
        en: "Type \u{201C}files\u{201D} to add or remove evidence files.",
        ru: "Введите «файлы», чтобы добавить или убрать файлы-доказательства.",
        kk: "Дәлел файлдарын қосу не алып тастау үшін «файлдар» деп жазыңыз."
    )
    static let alreadyAdded = UIText(
        en: "This file is already in the list.", ru: "Этот файл уже в списке.", kk: "Бұл файл тізімде бар."
    )
    static func sendingFilesFailed(_ detail: String) -> UIText {
        UIText(
            en: "Sending the files failed: \(detail). Nothing was stored.",
            ru: "Отправить файлы не удалось: \(detail). Ничего не сохранено.",
            kk: "Файлдарды жіберу сәтсіз аяқталды: \(detail). Ештеңе сақталмады."
        )
    }

    /// Words that open the evidence step from the review screen, in every language.
    static let filesWords: AnswerWords = ["files", "файлы", "файлдар"]
}

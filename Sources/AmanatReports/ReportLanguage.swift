import AmanatForms

/// The language a report's labels are written in: English, Russian or Kazakh, as the forms are.
public enum ReportLanguage: String, Sendable, CaseIterable {
    case en, ru, kk

    /// The language named by the locale variables (`LC_ALL`, then `LC_MESSAGES`, then `LANG`, the first one
    /// set), as in `ru_RU.UTF-8` or `kk_KZ`; English when none names Russian or Kazakh.
    public static func fromEnvironment(_ environment: [String: String]) -> ReportLanguage {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        let code = locale.prefix { $0.isLetter }.lowercased()
        return ReportLanguage(rawValue: code) ?? .en
    }

    /// `text` in this language.
    func pick(_ en: String, _ ru: String, _ kk: String) -> String {
        switch self {
        case .en: en
        case .ru: ru
        case .kk: kk
        }
    }
}

/// The fixed words of a report, in each language.
struct ReportWords {
    let language: ReportLanguage

    var confidential: String {
        language.pick(
            "Confidential: decrypted testimonies. Keep them on the offline machine and delete them when done.",
            "Конфиденциально: расшифрованные показания. Храните их только на офлайн-компьютере и удалите после работы.",
            "Құпия: шифры ашылған айғақтар. Тек желіге қосылмаған компьютерде сақтап, жұмыс біткен соң өшіріңіз."
        )
    }
    var indexTitle: String { language.pick("Opened testimonies", "Открытые показания", "Ашылған айғақтар") }
    var backToIndex: String { language.pick("All testimonies", "Все показания", "Барлық айғақтар") }
    var record: String { language.pick("Record", "Запись", "Жазба") }
    var form: String { language.pick("Form", "Форма", "Нысан") }
    var version: String { language.pick("version", "версия", "нұсқасы") }
    var received: String { language.pick("Received", "Получено", "Қабылданды") }
    var status: String { language.pick("Status", "Состояние", "Күйі") }
    var number: String { "№" }
    var yes: String { language.pick("Yes", "Да", "Иә") }
    var no: String { language.pick("No", "Нет", "Жоқ") }
    var noFields: String { language.pick("No fields.", "Полей нет.", "Өрістер жоқ.") }

    func heading(_ section: Section) -> String {
        switch section {
        case .clear:
            language.pick("Statistics (stored unencrypted)", "Статистика (хранится без шифрования)",
                          "Статистика (шифрланбай сақталады)")
        case .identity: language.pick("Identity", "Личность", "Жеке басы")
        case .testimony: language.pick("Testimony", "Показания", "Айғақ")
        }
    }

    func statusText(_ status: OpenedRecord.Status) -> String {
        switch status {
        case .opened: language.pick("opened", "открыто", "ашылды")
        case .unopened: language.pick("not fully opened", "открыто не полностью", "толық ашылмады")
        case .tampered: language.pick("TAMPERED", "ПОДДЕЛКА", "ӨЗГЕРТІЛГЕН")
        case .withdrawn: language.pick("withdrawn by the witness", "отозвано свидетелем", "куәгер кері алды")
        }
    }

    var tampered: String {
        language.pick(
            "TAMPERED: this section failed verification; it was altered or damaged. Its contents are not shown.",
            "ПОДДЕЛКА: раздел не прошёл проверку — он изменён или повреждён. Его содержимое не показано.",
            "ӨЗГЕРТІЛГЕН: бөлім тексеруден өтпеді — ол өзгертілген не бүлінген. Мазмұны көрсетілмейді."
        )
    }
    var unopened: String {
        language.pick(
            "Not opened: none of the keys given opens this section.",
            "Не открыто: ни один из указанных ключей не открывает этот раздел.",
            "Ашылмады: берілген кілттердің ешқайсысы бұл бөлімді ашпайды."
        )
    }
    var skipped: String {
        language.pick(
            "Not opened: this section was not requested (--sections).",
            "Не открыто: этот раздел не запрашивался (--sections).",
            "Ашылмады: бұл бөлім сұралмаған (--sections)."
        )
    }

    var addendaHeading: String {
        language.pick("Addenda by the witness", "Дополнения свидетеля", "Куәгердің толықтырулары")
    }
    var attachmentsHeading: String { language.pick("Evidence files", "Файлы-доказательства", "Дәлел файлдары") }
    var fileName: String { language.pick("Name", "Имя", "Атауы") }
    var mediaType: String { language.pick("Type", "Тип", "Түрі") }
    var sizeLabel: String { language.pick("Size", "Размер", "Көлемі") }
    var sha256: String { "SHA-256" }
    var notExtracted: String {
        language.pick(
            "not extracted (--attachments-dir)", "не извлечён (--attachments-dir)", "шығарылмады (--attachments-dir)"
        )
    }
    var evidenceTampered: String {
        language.pick(
            "TAMPERED: failed verification; not shown.", "ПОДДЕЛКА: не прошло проверку; не показано.",
            "ӨЗГЕРТІЛГЕН: тексеруден өтпеді; көрсетілмейді."
        )
    }
    var evidenceUnopened: String {
        language.pick(
            "Not opened: none of the keys given opens it.", "Не открыто: ни один из указанных ключей не подходит.",
            "Ашылмады: берілген кілттердің ешқайсысы ашпайды."
        )
    }

    func addendum(_ position: Int64) -> String {
        language.pick("Addendum \(position)", "Дополнение \(position)", "\(position)-толықтыру")
    }

    func size(_ bytes: UInt64) -> String {
        language.pick("\(bytes) bytes", "\(bytes) байт", "\(bytes) байт")
    }

    func formMissing(_ id: String) -> String {
        language.pick(
            "The form “\(id)” was not found: fields are shown by their stored names.",
            "Форма «\(id)» не найдена: поля показаны под внутренними именами.",
            "«\(id)» нысаны табылмады: өрістер ішкі атауларымен көрсетілген."
        )
    }

    func formVersionDiffers(found: Int, stored: Int) -> String {
        language.pick(
            "Labels come from version \(found) of the form; this record was made with version \(stored).",
            "Подписи взяты из версии \(found) формы; запись сделана по версии \(stored).",
            "Атаулар нысанның \(found)-нұсқасынан алынды; жазба \(stored)-нұсқасы бойынша жасалған."
        )
    }

    /// The heading of an index column.
    func column(_ column: ReportIndex.Column) -> String {
        switch column {
        case .received: received
        case .form: form
        case .status: status
        case .language: language.pick("Language", "Язык", "Тілі")
        case .region: language.pick("Region", "Регион", "Өңір")
        case .violations: language.pick("Violations", "Нарушения", "Құқық бұзушылықтар")
        case .consent: language.pick("Consent", "Согласие", "Келісім")
        case .witness: language.pick("Witness", "Свидетель", "Куәгер")
        }
    }
    var storageOrder: String {
        language.pick("in the order received", "в порядке поступления", "түскен ретімен")
    }
    var sortedBy: String { language.pick("Sorted by", "Сортировка", "Сұрыптау") }
    var sortHint: String {
        language.pick(
            "Click a column heading to sort by it; № restores the order received.",
            "Щёлкните заголовок столбца, чтобы отсортировать по нему; № возвращает порядок поступления.",
            "Бағанның тақырыбын бассаңыз, сол бойынша сұрыпталады; № түскен ретін қайтарады."
        )
    }
    var allTitle: String {
        language.pick(
            "All testimonies, for printing", "Все показания для печати", "Басып шығаруға арналған барлық айғақтар"
        )
    }
    var printAll: String {
        language.pick(
            "All testimonies on one page, for printing (all.html)",
            "Все показания на одной странице для печати (all.html)", "Барлық айғақ бір бетте, басып шығаруға (all.html)"
        )
    }

    /// What to install when Chinese or Uyghur text shows as empty boxes: the Debian packages, and how to bring
    /// them to a machine without a network.
    func fonts(_ packages: [String]) -> String {
        let list = packages.joined(separator: " ")
        return language.pick(
            "Fonts: if Chinese or Uyghur (Arabic script) text shows as empty boxes, install the Debian packages "
                + "\(list) on this computer. Offline: download them elsewhere with “apt-get download \(list)”, "
                + "copy the .deb files here and install them with “sudo dpkg -i *.deb”.",
            "Шрифты: если китайский текст или уйгурский (арабским письмом) показан пустыми квадратами, установите "
                + "пакеты Debian \(list). Без сети: скачайте их на другом компьютере командой «apt-get download "
                + "\(list)», перенесите файлы .deb сюда и установите командой «sudo dpkg -i *.deb».",
            "Қаріптер: қытайша не ұйғырша (араб әрпімен) мәтін бос төртбұрыштар болып көрінсе, Debian-ның \(list) "
                + "пакеттерін орнатыңыз. Желі болмаса: оларды басқа компьютерде «apt-get download \(list)» "
                + "командасымен жүктеп, .deb файлдарын осында көшіріп, «sudo dpkg -i *.deb» командасымен орнатыңыз."
        )
    }

    func summary(opened: Int, unopened: Int, tampered: Int, withdrawn: Int = 0) -> [(String, Int)] {
        [(statusText(.opened), opened), (statusText(.unopened), unopened), (statusText(.tampered), tampered)]
            + (withdrawn > 0 ? [(statusText(.withdrawn), withdrawn)] : [])
    }
}

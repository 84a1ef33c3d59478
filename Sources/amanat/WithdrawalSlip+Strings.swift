/// The slip's words and the typo messages of `amanat withdraw`, in the volunteer's and the witness's languages.
/// The slip says as little as it can: it may be found on someone crossing a border.
extension UI {
    static let slipTitle = UIText(
        en: "Keep this paper safe and private.", ru: "Храните этот листок надёжно и никому не показывайте.",
        kk: "Бұл қағазды қауіпсіз жерде сақтаңыз, ешкімге көрсетпеңіз."
    )
    static let slipRecord = UIText(en: "Number:", ru: "Номер:", kk: "Нөмір:")
    static let slipToken = UIText(en: "Key:   ", ru: "Ключ: ", kk: "Кілт: ")
    static let slipNote = UIText(
        en: "With the number and the key, what you said can be withdrawn at any time. Whoever holds this paper "
            + "can do it. The last character of each line is a check: it shows a copying mistake.",
        ru: "По номеру и ключу сказанное вами можно отозвать в любое время. Это может сделать любой, у кого "
            + "есть этот листок. Последний знак каждой строки — проверочный: он показывает ошибку при переписывании.",
        kk: "Нөмір мен кілт арқылы айтқаныңызды кез келген уақытта кері алуға болады. Мұны осы қағазы бар кез "
            + "келген адам жасай алады. Әр жолдың соңғы таңбасы — тексеру таңбасы: ол көшіргендегі қатені көрсетеді."
    )
    static let askRecordID = UIText(
        en: "Number (from the slip):", ru: "Номер (с листка):", kk: "Нөмір (қағаздан):"
    )
    static let askToken = UIText(en: "Key (from the slip):", ru: "Ключ (с листка):", kk: "Кілт (қағаздан):")
    static func typo(_ what: UIText, _ typo: WithdrawalSlip.Typo, expected: Int) -> UIText {
        switch typo {
        case .length(let found):
            UIText(
                en: "\(what.en) has \(found) characters, not \(expected) (\(expected + 1) with the check): a character is missing or extra.",
                ru: "\(what.ru): \(found) знаков вместо \(expected) (\(expected + 1) с проверочным): знак пропущен или лишний.",
                kk: "\(what.kk): \(expected) таңбаның орнына \(found) таңба (тексерумен \(expected + 1)): бір таңба жетпейді не артық."
            )
        case .character(let character, let position):
            UIText(
                en: "\(what.en): character \(position), \"\(character)\", cannot occur in it: check that character.",
                ru: "\(what.ru): знак \(position) («\(character)») в нём не встречается: проверьте этот знак.",
                kk: "\(what.kk): \(position)-таңба («\(character)») онда болмайды: осы таңбаны тексеріңіз."
            )
        case .check:
            UIText(
                en: "\(what.en) has a typo: the check character does not match. Compare each group with the slip.",
                ru: "\(what.ru): опечатка, проверочный знак не совпадает. Сверьте каждую группу с листком.",
                kk: "\(what.kk): қате бар, тексеру таңбасы сәйкес емес. Әр топты қағазбен салыстырыңыз."
            )
        }
    }
    static func withdrawn(_ id: String) -> UIText {
        UIText(en: "withdrawn: \(id)", ru: "отозвано: \(id)", kk: "кері алынды: \(id)")
    }
    static let storedNote = UIText(
        en: "stored. Give the witness the record id, the receipt and the withdrawal token: the token is shown only "
            + "once, and with it the witness can withdraw the testimony (amanat withdraw). The slip, to copy or print:",
        ru: "сохранено. Передайте свидетелю номер записи, квитанцию и код отзыва: код показывается только один раз, "
            + "и с ним свидетель может отозвать показания (amanat withdraw). Листок, чтобы переписать или напечатать:",
        kk: "сақталды. Куәгерге жазба нөмірін, түбіртекті және кері алу кодын беріңіз: код бір рет қана көрсетіледі, "
            + "ол арқылы куәгер айғақты кері ала алады (amanat withdraw). Көшіруге не басып шығаруға арналған қағаз:"
    )
    static let theNumber = UIText(en: "The number", ru: "Номер", kk: "Нөмір")
    static let theKey = UIText(en: "The key", ru: "Ключ", kk: "Кілт")
}

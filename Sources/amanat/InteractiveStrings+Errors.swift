import AmanatClient

/// Why a request failed, in the volunteer's language: the client's own texts are English, for logs and scripts.
extension UI {
    static func transport(_ error: ClientError) -> UIText {
        switch error.kind {
        case .connectionFailed:
            UIText(
                en: "amanatd cannot be reached (is it running?)", ru: "amanatd недоступен (он запущен?)",
                kk: "amanatd-ге қосылу мүмкін емес (ол іске қосылған ба?)"
            )
        case .permissionDenied:
            UIText(
                en: "no permission to use amanatd: ask an admin to add you to the volunteers group",
                ru: "нет права обращаться к amanatd: попросите администратора добавить вас в группу волонтёров",
                kk: "amanatd-ге қатынауға рұқсат жоқ: әкімшіден сізді еріктілер тобына қосуын сұраңыз"
            )
        case .timedOut:
            UIText(
                en: "amanatd did not answer in time", ru: "amanatd не ответил вовремя", kk: "amanatd уақытында жауап бермеді"
            )
        case .connectionLost:
            UIText(
                en: "the connection to amanatd was lost", ru: "связь с amanatd прервалась", kk: "amanatd-мен байланыс үзілді"
            )
        default:
            UIText(
                en: error.description, ru: "ошибка связи с amanatd (\(error.description))",
                kk: "amanatd-мен байланыс қатесі (\(error.description))"
            )
        }
    }

    /// The hint under a refusal that names a field (already in the volunteer's words in the message itself).
    static func checkField(_ field: String) -> UIText {
        let field = IntakeTerminal.printable(field)
        return UIText(en: "check the field \(field)", ru: "проверьте поле \(field)", kk: "\(field) өрісін тексеріңіз")
    }
}

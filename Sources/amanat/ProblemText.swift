import AmanatClient
import AmanatProtocol

/// amanatd's problems in the volunteer's language.
///
/// amanatd stays language-neutral: it names each problem by a stable `type` and gives the facts a client needs as
/// members (`field`, `limit`, `expected`, `allowed`; PROTOCOL.md 4.1), with an English `detail` for logs and
/// scripts. The words are the client's: this catalog puts each type it knows into Russian and Kazakh. English
/// keeps amanatd's own detail, which is the same text and sometimes more precise (a byte offset); a type this
/// amanat does not know keeps it in every language. Text from amanatd (field paths, allowed values) is made
/// printable here, before it is put into a sentence.
extension UI {
    /// Why amanatd did not do what `response` answers: its problem, or its bare status when it sent none.
    static func refusal(_ response: HTTPResponse) -> UIText {
        if let problem = response.problem { return Self.problem(problem) }
        let status = response.status
        return UIText(
            en: "amanatd answered HTTP \(status)", ru: "amanatd ответил HTTP \(status)",
            kk: "amanatd HTTP \(status) деп жауап берді"
        )
    }

    static func problem(_ problem: Problem) -> UIText {
        let english = IntakeTerminal.printable(problem.message)
        guard let words = translated(problem) else { return UIText(en: english, ru: english, kk: english) }
        return UIText(en: english, ru: words.ru, kk: words.kk)
    }

    /// The Russian and Kazakh text of a problem type this amanat knows; nil for any other.
    private static func translated(_ problem: Problem) -> (ru: String, kk: String)? {
        let field = problem.field.map { "«\(IntakeTerminal.printable($0))»" }
        let limit = problem.limit.map(String.init) ?? "?"
        switch problem.slug {
        case "missing-field":
            guard let field else { return ("не заполнено обязательное поле", "міндетті өріс толтырылмаған") }
            return ("не заполнено обязательное поле \(field)", "міндетті \(field) өрісі толтырылмаған")
        case "unknown-field":
            guard let field else {
                return ("в показаниях есть поле, которого нет в форме", "айғақта нысанда жоқ өріс бар")
            }
            return ("в \(field) есть поле, которого нет в форме", "\(field) ішінде нысанда жоқ өріс бар")
        case "not-an-object":
            return ("показания должны быть объектом JSON", "айғақ JSON нысаны (объект) болуы керек")
        case "wrong-type":
            let (ru, kk) = expectedType(problem.expected)
            let place = field ?? "?"
            return (
                "в поле \(place) значение не того вида: нужен \(ru)", "\(place) өрісіндегі мән түрі қате: \(kk) керек"
            )
        case "too-long":
            let place = field ?? "?"
            return (
                "поле \(place) длиннее допустимого (наибольшая длина в знаках: \(limit))",
                "\(place) өрісі тым ұзын (ең көп таңба саны: \(limit))"
            )
        case "too-many-items":
            let place = field ?? "?"
            return (
                "в поле \(place) больше записей, чем допустимо (наибольшее число: \(limit))",
                "\(place) өрісінде жазба тым көп (ең көп саны: \(limit))"
            )
        case "invalid-value":
            return invalidValue(problem, field: field ?? "?")
        case "unknown-form":
            return ("формы с таким идентификатором нет", "мұндай идентификаторы бар нысан жоқ")
        case "invalid-json", "invalid-encoding", "too-deep", "unsupported-media-type", "bad-request", "not-found",
            "method-not-allowed", "request-timeout", "length-required", "invalid-upload-request",
            "inconsistent-upload-length", "mismatching-upload-offset", "invalid-attachment":
            // A malformed request is amanat's fault, not the volunteer's: say so, with the type to report.
            let slug = IntakeTerminal.printable(problem.slug)
            return (
                "amanatd отклонил запрос как неверно составленный (\(slug)): это ошибка программы amanat, "
                    + "сообщите о ней",
                "amanatd сұранысты дұрыс құрылмаған деп қабылдамады (\(slug)): бұл amanat бағдарламасының қатесі, "
                    + "ол туралы хабарлаңыз"
            )
        case "body-too-large", "headers-too-large":
            return (
                "запрос больше допустимого (наибольший размер в байтах: \(limit)); ничего не сохранено",
                "сұраныс тым үлкен (ең үлкен көлемі, байтпен: \(limit)); ештеңе сақталмады"
            )
        case "file-too-large":
            return (
                "файл больше допустимого (наибольший размер в байтах: \(limit)); ничего не сохранено",
                "файл тым үлкен (ең үлкен көлемі, байтпен: \(limit)); ештеңе сақталмады"
            )
        case "record-too-large":
            return (
                "у записи было бы слишком много файлов или слишком большой их общий размер; ничего не сохранено",
                "жазбаның файлдары тым көп не олардың жалпы көлемі тым үлкен болар еді; ештеңе сақталмады"
            )
        case "forbidden":
            return (
                "этому пользователю это не разрешено: попросите администратора добавить вас в группу волонтёров "
                    + "(для команд администратора — в группу администраторов)",
                "бұл пайдаланушыға бұған рұқсат жоқ: әкімшіден сізді еріктілер тобына (әкімші командалары үшін — "
                    + "әкімшілер тобына) қосуын сұраңыз"
            )
        case "too-many-submissions":
            return (
                "слишком много отправок от этого пользователя за последнюю минуту; ничего не сохранено: "
                    + "попробуйте снова через минуту",
                "соңғы минутта бұл пайдаланушыдан тым көп жіберілім болды; ештеңе сақталмады: бір минуттан кейін "
                    + "қайталап көріңіз"
            )
        case "too-many-uploads":
            return (
                "у этого пользователя слишком много незавершённых загрузок; попробуйте позже",
                "бұл пайдаланушының аяқталмаған жүктеулері тым көп; кейінірек қайталап көріңіз"
            )
        case "too-many-connections", "too-many-in-flight", "unavailable":
            return (
                "amanatd занят или останавливается; ничего не сохранено: попробуйте снова чуть позже",
                "amanatd бос емес не тоқтап жатыр; ештеңе сақталмады: сәл кейінірек қайталап көріңіз"
            )
        case "storage-full":
            return (
                "на сервере приёма кончилось место на диске; ничего не сохранено: сообщите администратору",
                "қабылдау серверінің дискісінде орын қалмады; ештеңе сақталмады: әкімшіге хабарлаңыз"
            )
        case "internal":
            return (
                "amanatd не смог обработать запрос; ничего не сохранено",
                "amanatd сұранысты өңдей алмады; ештеңе сақталмады"
            )
        case "invalid-withdrawal":
            return ("номер или ключ записан неверно", "нөмір не кілт қате жазылған")
        case "withdrawal-refused":
            return (
                "нет записи с таким номером и ключом; ничего не изменено. Сверьте номер и ключ с листком",
                "мұндай нөмірі мен кілті бар жазба жоқ; ештеңе өзгертілмеді. Нөмір мен кілтті қағазбен салыстырыңыз"
            )
        case "already-withdrawn":
            return (
                "эти показания уже отозваны; ничего не изменено",
                "бұл айғақ бұрын кері алынған; ештеңе өзгертілмеді"
            )
        case "token-refused":
            return (
                "нет записи с таким номером и ключом, или она отозвана; ничего не изменено",
                "мұндай нөмірі мен кілті бар жазба жоқ не ол кері алынған; ештеңе өзгертілмеді"
            )
        case "unknown-upload":
            return (
                "у amanatd больше нет этой загрузки (срок истёк или она удалена)",
                "amanatd-де бұл жүктеу енді жоқ (мерзімі өтті не жойылды)"
            )
        case "upload-incomplete":
            return ("файл ещё не отправлен полностью", "файл әлі толық жіберілмеген")
        default:
            return nil
        }
    }

    /// A value that breaks a rule of its field, by `expected` (PROTOCOL.md 4.1).
    private static func invalidValue(_ problem: Problem, field: String) -> (ru: String, kk: String) {
        switch problem.expected {
        case "choice":
            let values = (problem.allowed ?? []).map(IntakeTerminal.printable).joined(separator: ", ")
            return (
                "в поле \(field) значение не из списка формы; допустимые значения: \(values)",
                "\(field) өрісінің мәні нысан тізімінде жоқ; рұқсат етілген мәндер: \(values)"
            )
        case "date":
            return (
                "в поле \(field) должна быть дата в виде ГГГГ, ГГГГ-ММ или ГГГГ-ММ-ДД",
                "\(field) өрісінде ЖЖЖЖ, ЖЖЖЖ-АА не ЖЖЖЖ-АА-КК түріндегі күн болуы керек"
            )
        case "distinct":
            return (
                "в поле \(field) одно значение указано дважды", "\(field) өрісінде бір мән екі рет көрсетілген"
            )
        case "line-without-breaks":
            return (
                "поле \(field) должно быть одной строкой без управляющих знаков",
                "\(field) өрісі басқару таңбаларынсыз бір жол болуы керек"
            )
        case "text-without-controls":
            return (
                "в поле \(field) есть управляющие знаки", "\(field) өрісінде басқару таңбалары бар"
            )
        default:
            return ("в поле \(field) недопустимое значение", "\(field) өрісінің мәні жарамсыз")
        }
    }

    /// The kind of value a field takes, by `expected` (PROTOCOL.md 4.1), as what "нужен …" and "… керек" name.
    private static func expectedType(_ expected: String?) -> (ru: String, kk: String) {
        switch expected {
        case "string": ("текст", "мәтін")
        case "list-of-strings": ("список текстов", "мәтіндер тізімі")
        case "boolean": ("ответ да или нет (true или false)", "иә не жоқ жауабы (true не false)")
        case "list-of-objects": ("список записей", "жазбалар тізімі")
        case "object": ("объект JSON (одна запись)", "JSON объектісі (бір жазба)")
        default: ("другой вид значения", "басқа түрдегі мән")
        }
    }
}

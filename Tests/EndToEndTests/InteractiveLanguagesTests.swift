import AmanatForms
import AmanatJSON
import Foundation
import Testing

/// The guided intake's volunteer-facing paths (issue 16, points 1 to 3) in Russian and in Kazakh alike: a paste
/// into a one-line field, the paged review, correcting a field and one relative's sub-field, amanatd's refusals
/// and failures put into the volunteer's words, the failed-send menu, and the slip. Against a scripted amanatd, so
/// that each language's run takes a few seconds.
@Suite("guided intake in Russian and Kazakh")
struct InteractiveLanguagesTests {
    /// What the volunteer must see, by language. Written here from the issue, not read from amanat's catalogs.
    struct Words: Sendable, CustomTestStringConvertible {
        let lang: String
        let yes: String
        let no: String
        let yesNo: String
        let review: String
        let send: String
        let sendWord: String
        let pager: String
        let evidence: String
        let pasted: String
        let join: String
        let now: String
        let keepOrClear: String
        let entry: @Sendable (Int, String) -> String
        let refused: String
        let missing: String
        let choice: String
        let sendFailed: String
        let rateLimited: String
        let unavailable: String
        let menu: String
        let confirmDiscard: String
        let stored: String
        let slipTitle: String
        let slipNumber: String
        let witness: String
        let happened: String
        let city: (typed: String, joined: String)

        var testDescription: String { lang }
    }

    static let languages: [Words] = [
        Words(
            lang: "ru", yes: "д", no: "н", yesNo: "[д/Н]", review: "==== Проверьте показания перед отправкой ====",
            send: "отправить", sendWord: "«отправить»", pager: InteractiveIntakeTests.pagerRU,
            evidence: "Файлы-доказательства", pasted: "Здесь нужна одна строка, но сразу пришло несколько строк (2;",
            join: "2) Соединить строки через пробел", now: "Сейчас:",
            keepOrClear: "Enter — оставить как есть; - — удалить; или введите новый ответ.",
            entry: { number, label in "запись \(number): \(label)" },
            refused: "amanatd не принял показания: ",
            missing: "не заполнено обязательное поле «full_name»",
            choice: "в поле «relatives[0].relation» значение не из списка формы; допустимые значения: father, mother",
            sendFailed: "Отправить не удалось: ",
            rateLimited: "слишком много отправок от этого пользователя за последнюю минуту; ничего не сохранено: "
                + "попробуйте снова через минуту.",
            unavailable: "amanatd занят или останавливается; ничего не сохранено: попробуйте снова чуть позже.",
            menu: "1) Отправить ещё раз (Enter)\r\n  2) Вернуться к проверке\r\n  3) Удалить показания",
            confirmDiscard: "Удалить всё введённое безвозвратно? Ничего не отправлено. [д/Н]",
            stored: "Показания сохранены. Номер записи: ", slipTitle: "Храните этот листок надёжно",
            slipNumber: "Номер:", witness: "Свидетель", happened: "Что-то случилось.",
            city: ("Каскелен,\rАлматинская область\r", "Каскелен, Алматинская область")
        ),
        Words(
            lang: "kk", yes: "и", no: "ж", yesNo: "[и/Ж]", review: "==== Жіберер алдында айғақты тексеріңіз ====",
            send: "жіберу", sendWord: "«жіберу»", pager: InteractiveIntakeTests.pagerKK,
            evidence: "Дәлел файлдары", pasted: "Мұнда бір жол керек, бірақ бірден 2 жол келді (қойылған ба?):",
            join: "2) Жолдарды бос орынмен біріктіру", now: "Қазір:",
            keepOrClear: "Enter — өзгертпеу; - — өшіру; не жаңа жауапты жазыңыз.",
            entry: { number, label in "\(number)-жазба: \(label)" },
            refused: "amanatd айғақты қабылдамады: ",
            missing: "міндетті «full_name» өрісі толтырылмаған",
            choice: "«relatives[0].relation» өрісінің мәні нысан тізімінде жоқ; рұқсат етілген мәндер: father, mother",
            sendFailed: "Жіберу сәтсіз аяқталды: ",
            rateLimited: "соңғы минутта бұл пайдаланушыдан тым көп жіберілім болды; ештеңе сақталмады: бір минуттан "
                + "кейін қайталап көріңіз.",
            unavailable: "amanatd бос емес не тоқтап жатыр; ештеңе сақталмады: сәл кейінірек қайталап көріңіз.",
            menu: "1) Қайта жіберу (Enter)\r\n  2) Тексеруге оралу\r\n  3) Айғақты жою",
            confirmDiscard: "Жазылғанның бәрін біржола жоясыз ба? Ештеңе жіберілген жоқ. [и/Ж]",
            stored: "Айғақ сақталды. Жазба нөмірі: ", slipTitle: "Бұл қағазды қауіпсіз жерде сақтаңыз",
            slipNumber: "Нөмір:", witness: "Куәгер", happened: "Бір нәрсе болды.",
            city: ("Қаскелең,\rАлматы облысы\r", "Қаскелең, Алматы облысы")
        ),
    ]

    /// The terminal's text with its line breaks turned back into the spaces the wrapping replaced.
    static func unwrapped(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: " ")
    }

    /// Answers every field of `form` with the least it takes: required texts and lines, the first option of a
    /// required choice; `special` answers the fields it names (it gets the field and returns true when it did).
    static func fill(
        _ form: Form, on terminal: PseudoTerminal, _ words: Words, special: (FormField) throws -> Bool = { _ in false }
    ) throws {
        for (index, field) in form.fields.enumerated() {
            try terminal.expect("[\(index + 1)/\(form.fields.count)]")
            if try special(field) { continue }
            switch (field.type, field.required) {
            case (.records, _):
                try terminal.expect(words.yesNo)
                try terminal.type("\(words.no)\r")
            case (.text, true):
                try terminal.expect("(.)")
                try terminal.type("\(words.happened)\r.\r")
            case (.text, false):
                try terminal.expect("(.)")
                try terminal.type(".\r")
            case (.enumeration, true):
                try terminal.expect("> ")
                try terminal.type("1\r")
            case (_, true):
                try terminal.expect("> ")
                try terminal.type("\(words.witness)\r")
            default:
                try terminal.expect("> ")
                try terminal.type("\r")
            }
        }
        try terminal.expect(words.evidence)
        try terminal.expect("> ")
        try terminal.type("\r")
    }

    static func problem(_ slug: String, status: Int, field: String? = nil, members: String = "") -> String {
        let fieldMember = field.map { #","field":"\#($0)""# } ?? ""
        return #"{"detail":"English detail","status":\#(status),"title":"x","type":"urn:amanat:problem:\#(slug)""#
            + fieldMember + members + "}"
    }

    @Test(
        "paste, paged review, a field and a relative's sub-field corrected, refusals in the volunteer's words, slip",
        arguments: languages
    )
    func correctionsRefusalsAndSlip(_ words: Words) async throws {
        let directory = try TempDir()
        let form = try InteractiveIntakeTests.shippedForm()
        let served = form.json.canonicalString()
        let recordID = "0123456789abcdef0123456789abcdef"
        let stored = InteractiveIntakeTests.storedAnswer(recordID: recordID)
        let missing = Self.problem("missing-field", status: 422, field: "full_name")
        let choice = Self.problem(
            "invalid-value", status: 422, field: "relatives[0].relation",
            members: #","expected":"choice","allowed":["father","mother"]"#
        )
        let server = try ScriptedServer(path: directory.file("scripted.sock")) { request, index in
            switch (request.method, request.path, index) {
            case ("GET", "/v1/forms/testimony", _): (200, served)
            case ("POST", "/v1/testimonies", 1): (422, missing)
            case ("POST", "/v1/testimonies", 2): (422, choice)
            case ("POST", "/v1/testimonies", _): (201, stored.body)
            default: (404, "{}")
            }
        }
        let tmp = try InteractiveIntakeTests.makeDirectory(directory, "tmp")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"),
            // No draft: the scripted server answers by request, and keeps none.
            [
                "--socket", server.socketPath, "submit", "--interactive", "--lang", words.lang, "--form", "testimony",
                "--no-draft",
            ],
            environment: InteractiveIntakeTests.environment(tmp: tmp, lang: "C.UTF-8"), directory: tmp
        )
        let relatives = try #require(form.field(named: "relatives"))
        let relativeAnswers = ["name": "Нұрлан", "location": "Құлжа", "notes": "Ескертпе"]
        try Self.fill(form, on: terminal, words) { field in
            switch field.name {
            case "current_city":
                // Two lines pasted into a one-line field: caught and asked about, not left to answer the next field.
                try terminal.expect("> ")
                try terminal.type(words.city.typed)
                try terminal.expect(words.pasted)
                try terminal.expect(words.join)
                try terminal.expect("> ")
                try terminal.type("2\r")
                return true
            case "relatives":
                try terminal.expect(words.yesNo)
                try terminal.type("\(words.yes)\r")
                for sub in relatives.subfields {
                    try terminal.expect(words.entry(1, sub.label.text(in: words.lang)))
                    if sub.type == .enumeration {
                        try terminal.expect("> ")
                        try terminal.type("1\r")
                    } else if sub.type == .text {
                        try terminal.expect("(.)")
                        try terminal.type("\(relativeAnswers[sub.name]!)\r.\r")
                    } else {
                        try terminal.expect("> ")
                        try terminal.type("\(try #require(relativeAnswers[sub.name]))\r")
                    }
                }
                try terminal.expect(words.yesNo)
                try terminal.type("\(words.no)\r")
                return true
            default:
                return false
            }
        }
        // The review is paged to the 24-line terminal.
        try terminal.expect(words.review)
        let review = try terminal.expectPaging(words.sendWord, pager: words.pager)
        let pages = review.components(separatedBy: words.pager)
        #expect(pages.count >= 2, "the review was not paged")
        for page in pages.dropFirst() {
            #expect(page.components(separatedBy: "\r\n").count <= 24, "a page taller than the terminal")
        }
        #expect(review.contains(words.city.joined))
        // Correcting a field shows its value, and Enter keeps it.
        let cityNumber = try #require(form.fields.firstIndex { $0.name == "current_city" }) + 1
        try terminal.expect("> ")
        try terminal.type("\(cityNumber)\r")
        try terminal.expect(words.now)
        try terminal.expect(words.city.joined)
        try terminal.expect(words.keepOrClear)
        try terminal.expect("> ")
        try terminal.type("\r")
        try terminal.expect(words.review)
        #expect(try terminal.expectPaging(words.sendWord, pager: words.pager).contains(words.city.joined))
        // One sub-field of the relative corrected, the others kept with Enter.
        let relativesNumber = try #require(form.fields.firstIndex { $0.name == "relatives" }) + 1
        try terminal.expect("> ")
        try terminal.type("\(relativesNumber)\r")
        try terminal.expect("-N")
        try terminal.expect("> ")
        try terminal.type("1\r")
        try InteractiveIntakeTests.correctSubfield(
            "location", to: "Жаркент", of: relatives.subfields, on: terminal, now: words.now
        ) { words.entry(1, $0.label.text(in: words.lang)) }
        try terminal.expect("-N")
        try terminal.expect("> ")
        try terminal.type("\r")
        try terminal.expect(words.review)
        #expect(try terminal.expectPaging(words.sendWord, pager: words.pager).contains("Жаркент"))
        // amanatd refuses twice (a required field missing, a value not among a choice's): in the volunteer's
        // words, from the problem's type and members, and back to the review each time.
        for expected in [words.missing, words.choice] {
            try terminal.expect("> ")
            try terminal.type("\(words.send)\r")
            let shown = Self.unwrapped(try terminal.expect(words.review))
            #expect(shown.contains(words.refused + expected), "\(shown)")
            #expect(!shown.contains("English detail"))
            try terminal.expectPaging(words.sendWord, pager: words.pager)
        }
        try terminal.expect("> ")
        try terminal.type("\(words.send)\r")
        try terminal.expect(words.stored + recordID)
        // The slip the witness keeps, in the same language.
        try terminal.expect(words.slipTitle)
        try terminal.expect(words.slipNumber)
        #expect(try terminal.finish() == 0)

        let posts = server.received.filter { $0.method == "POST" }
        #expect(posts.count == 3)
        let last = try #require(posts.last)
        let fields = try #require(try JSONParser().parse(last.body)["fields"])
        #expect(fields["current_city"] == .string(words.city.joined))
        let relative = try #require(fields["relatives"]?.arrayValue?.first)
        #expect(relative["location"] == .string("Жаркент"))
        #expect(relative["name"] == .string("Нұрлан"))
        #expect(relative["notes"] == .string("Ескертпе"))
        #expect(try InteractiveIntakeTests.isEmptyDirectory(tmp))
    }

    @Test("a volunteer amanatd does not admit is told so in their language, wrapped to the terminal", arguments: [
        ("ru", "этому пользователю это не разрешено: попросите администратора добавить вас в группу волонтёров"),
        ("kk", "бұл пайдаланушыға бұған рұқсат жоқ: әкімшіден сізді еріктілер тобына"),
    ])
    func forbidden(_ lang: String, _ expected: String) async throws {
        let directory = try TempDir()
        let server = try ScriptedServer(path: directory.file("scripted.sock")) { _, _ in
            (403, Self.problem("forbidden", status: 403))
        }
        let tmp = try InteractiveIntakeTests.makeDirectory(directory, "tmp")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"),
            // No draft: the scripted server answers by request, and keeps none.
            [
                "--socket", server.socketPath, "submit", "--interactive", "--lang", lang, "--form", "testimony",
                "--no-draft",
            ],
            environment: InteractiveIntakeTests.environment(tmp: tmp, lang: "C.UTF-8"), directory: tmp, columns: 50
        )
        #expect(try terminal.finish() == 3)
        let shown = String(decoding: terminal.output, as: UTF8.self)
        let lines = shown.split(separator: "\r\n")
        #expect(lines.count >= 2 && lines.allSatisfy { InteractiveIntakeTests.columns(String($0)) <= 50 }, "\(lines)")
        #expect(Self.unwrapped(shown).contains("amanat: error: " + expected), "\(shown)")
        #expect(!shown.contains("English detail"))
    }

    @Test(
        "a failed send: rate limit and unavailability in the volunteer's words; Enter retries, 2 goes back, 3 asks",
        arguments: languages
    )
    func sendFailureKeepsTheTestimony(_ words: Words) async throws {
        let directory = try TempDir()
        let form = try InteractiveIntakeTests.shippedForm()
        let served = form.json.canonicalString()
        let stored = InteractiveIntakeTests.storedAnswer(recordID: "0123456789abcdef0123456789abcdef")
        let server = try ScriptedServer(path: directory.file("scripted.sock")) { request, index in
            switch (request.method, request.path, index) {
            case ("GET", "/v1/forms/testimony", _): (200, served)
            case ("POST", "/v1/testimonies", 1): (429, Self.problem("too-many-submissions", status: 429))
            // amanatd failing, as when it is stopping: three times over.
            case ("POST", "/v1/testimonies", 2..<5): (503, Self.problem("unavailable", status: 503))
            case ("POST", "/v1/testimonies", _): (201, stored.body)
            default: (404, "{}")
            }
        }
        let tmp = try InteractiveIntakeTests.makeDirectory(directory, "tmp")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"),
            // No draft: the scripted server answers by request, and keeps none.
            [
                "--socket", server.socketPath, "submit", "--interactive", "--lang", words.lang, "--form", "testimony",
                "--no-draft",
            ],
            environment: InteractiveIntakeTests.environment(tmp: tmp, lang: "C.UTF-8"), directory: tmp
        )
        try Self.fill(form, on: terminal, words)
        try terminal.expect(words.review)
        try terminal.expectPaging(words.sendWord, pager: words.pager)
        try terminal.expect("> ")
        try terminal.type("\(words.send)\r")
        let rateLimited = Self.unwrapped(try terminal.expect(words.menu))
        #expect(rateLimited.contains(words.sendFailed + words.rateLimited), "\(rateLimited)")
        try terminal.expect("> ")
        try terminal.type("\r")                      // Enter: try again, never discard
        let unavailable = Self.unwrapped(try terminal.expect(words.menu))
        #expect(unavailable.contains(words.sendFailed + words.unavailable), "\(unavailable)")
        #expect(!unavailable.contains("English detail"))
        try terminal.expect("> ")
        try terminal.type("2\r")                     // back to the review, everything still there
        try terminal.expect(words.review)
        try terminal.expectPaging(words.happened, pager: words.pager)
        try terminal.expectPaging(words.sendWord, pager: words.pager)
        try terminal.expect("> ")
        try terminal.type("\(words.send)\r")
        try terminal.expect(words.menu)
        try terminal.expect("> ")
        try terminal.type("3\r")                     // discard asks first; no keeps everything
        try terminal.expect(words.confirmDiscard)
        try terminal.type("\r")
        try terminal.expect(words.menu)
        try terminal.expect("> ")
        try terminal.type("1\r")
        try terminal.expect(words.menu)
        try terminal.expect("> ")
        try terminal.type("\r")
        try terminal.expect(words.stored)
        #expect(try terminal.finish() == 0)
        #expect(server.received.filter { $0.method == "POST" }.count == 5)
    }
}

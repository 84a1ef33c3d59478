import AmanatFormFiles
import AmanatFormat
import AmanatForms
import AmanatJSON
import Foundation
import GRDB
import Glibc
import Testing

enum IntakeLimits {
    /// The longest line Linux's canonical mode passes on (`N_TTY_BUF_SIZE` less the newline).
    static let canonicalLine = 4095
}

/// The guided intake (`amanat submit` on a terminal), driven through a real pseudo-terminal.
@Suite("guided intake")
struct InteractiveIntakeTests {
    /// The end of the review pager's prompt, by language: the review is paged on the tests' 24-line terminal.
    static let pagerEN = "q to stop -- "
    static let pagerRU = "q — хватит -- "
    static let pagerKK = "q — жеткілікті -- "

    /// The shipped form, as the test knows it independently of amanatd.
    static func shippedForm() throws -> Form {
        try Form(toml: String(decoding: contents("\(Paths.forms)/testimony.toml"), as: UTF8.self))
    }

    /// The environment of the child: a fresh TMPDIR, the given locale, no inherited socket.
    static func environment(tmp: String, lang: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["AMANAT_SOCKET", "NOTIFY_SOCKET", "LC_ALL", "LC_MESSAGES", "LANGUAGE"] {
            environment.removeValue(forKey: name)
        }
        environment["TMPDIR"] = tmp
        environment["LANG"] = lang
        environment["TERM"] = "dumb"
        return environment
    }

    static func recordCount(_ database: String) throws -> Int {
        let queue = try DatabaseQueue(path: database)
        defer { try? queue.close() }
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") ?? -1 }
    }

    static func makeDirectory(_ parent: TempDir, _ name: String) throws -> String {
        let path = parent.file(name)
        guard mkdir(path, 0o700) == 0 else { throw HarnessError("mkdir \(path) failed") }
        return path
    }

    static func isEmptyDirectory(_ path: String) throws -> Bool {
        try FileManager.default.contentsOfDirectory(atPath: path).isEmpty
    }

    /// Terminal columns a line of output takes (East Asian wide characters count two).
    static func columns(_ line: String) -> Int {
        line.unicodeScalars.reduce(0) { width, scalar in
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format: return width
            default: break
            }
            switch scalar.value {
            case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFF00...0xFF60: return width + 2
            default: return width + 1
            }
        }
    }

    /// Corrects one entry of a records field at review, sub-field by sub-field: each shows its value (`now`), `name`
    /// gets `value`, and the others are kept with Enter (a text with ".").
    static func correctSubfield(
        _ name: String, to value: String, of subfields: [FormField], on terminal: PseudoTerminal, now: String,
        heading: (FormField) -> String
    ) throws {
        for sub in subfields {
            try terminal.expect(heading(sub))
            try terminal.expect(now)
            if sub.type == .text {
                try terminal.expect("(.)")
                try terminal.type(".\r")
            } else {
                try terminal.expect("> ")
                try terminal.type(sub.name == name ? "\(value)\r" : "\r")
            }
        }
    }

    @Test("every field answered in Kazakh (with Uyghur and Chinese text), three corrected at review, opens exactly")
    func kazakhRoundTrip() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let form = try Self.shippedForm()
        let work = try Self.makeDirectory(directory, "work")
        let tmp = try Self.makeDirectory(directory, "tmp")

        // No --interactive: a terminal on stdin and no file make the guided intake the default.
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"), ["--socket", daemon.socketPath, "submit", "--lang", "kk"],
            environment: Self.environment(tmp: tmp, lang: "C.UTF-8"), directory: work
        )
        func option(_ value: String, of field: FormField) throws -> Int {
            try #require(field.options.firstIndex { $0.value == value }) + 1
        }
        func field(_ name: String) throws -> FormField { try #require(form.field(named: name)) }

        // "й" typed as и + combining breve: stored and shown in NFC.
        let decomposed = "ои\u{0306}лаймын"
        let composed = "ойлаймын"
        #expect(decomposed.unicodeScalars.count != composed.unicodeScalars.count)
        let narrative = [
            "Мен 1985 жылы Тарбағатайда туғанмын. Күйеуім тірі деп \(decomposed).",
            "",
            "مېنىڭ ئېرىم 2018-يىلى تۇتۇلدى.",
            "他被关押在额敏县看守所，至今没有消息。",
        ]
        let addedLine = "Кейін қосылған жол: 他还活着吗？"
        let relative = [
            "name": "Нұрлан Бақытұлы (努尔兰·巴合提)", "location": "Шыңжаңдағы түрме, нақты жері белгісіз",
        ]
        let relativeNotes = ["2018 жылдың ақпанында ұсталды.", "2019 жылы он жылға сотталды."]
        let correctedLocation = "Құлжа түрмесі"
        let lines: [String: String] = [
            "other_names": "Akmaral Toleubaikyzy; 阿克玛拉·托列拜; ئاقمارال تۆلەۋباي قىزى",
            "current_city": "Қаскелең, Алматы облысы",
            "origin_place": "Ақтам ауылы, Дөрбілжін ауданы (额敏县), Тарбағатай",
            "events_period": "2018-02 — 2020",
        ]
        let texts: [String: [String]] = [
            "contact": ["Телефон: +7 701 000 00 00", "Тек WhatsApp арқылы хабарласыңыз."],
            "id_documents": ["ҚР жеке куәлігі: 040000000", "Қытай жеке куәлігі: 654221198507000000"],
            "narrative": narrative,
            "detention_places": ["Дөрбілжін ауданының тергеу изоляторы, 2018–2019"],
            "perpetrators": ["Аудандық полиция бөлімі, ауыл кадрлары"],
            "evidence_notes": ["WeChat хабарламасының скриншоты куәгердің телефонында сақтаулы."],
        ]
        let violations = ["arbitrary_detention", "family_separation", "surveillance"]

        try terminal.expect(form.title.kk)
        // Before the first question: what happens to an interview that is never sent (its encrypted draft, in
        // Kazakh), and the draft's code.
        try terminal.expect("Бұл компьютерде ештеңе")
        try terminal.expect("Жоба коды:")
        for (index, item) in form.fields.enumerated() {
            try terminal.expect("[\(index + 1)/\(form.fields.count)] \(item.label.kk)")
            switch item.name {
            case "full_name":
                try terminal.expect("> ")
                try terminal.type("\r")  // required: refused when empty
                try terminal.expect("Бұл өріс міндетті.")
                try terminal.expect("> ")
                try terminal.type("Ақмарал Төлеубайқызы\r")
            case "birth_date":
                try terminal.expect("> ")
                try terminal.type("1985-13\r")
                try terminal.expect("дұрыс күн емес")
                // The usual written form, converted and shown; a date after today refused.
                try terminal.expect("> ")
                try terminal.type("15.07.2985\r")
                try terminal.expect("15.07.2985 2985-07-15 деп жазылды.")
                try terminal.expect("Бұл күн әлі келген жоқ.")
                try terminal.expect("> ")
                try terminal.type("07.1985\r")
                try terminal.expect("07.1985 1985-07 деп жазылды.")
            case "relatives":
                try terminal.expect("[и/Ж]")
                try terminal.type("иә\r")
                let relatives = try field("relatives")
                for sub in relatives.subfields {
                    try terminal.expect("\(item.label.kk), 1-жазба: \(sub.label.kk)")
                    switch sub.name {
                    case "relation":
                        try terminal.expect("> ")
                        try terminal.type("\(try option("spouse", of: sub))\r")
                    case "status":
                        try terminal.expect("> ")
                        try terminal.type("\(try option("imprisoned", of: sub))\r")
                    case "notes":
                        try terminal.expect("(.)")
                        try terminal.type(relativeNotes.joined(separator: "\r") + "\r.\r")
                    default:
                        try terminal.expect("> ")
                        try terminal.type("\(try #require(relative[sub.name]))\r")
                    }
                }
                try terminal.expect("Тағы бір жазба қосасыз ба? [и/Ж]")
                try terminal.type("жок\r")  // typed on a Russian keyboard: жоқ
            case "language":
                try terminal.expect("> ")
                try terminal.type("99\r")
                try terminal.expect("1 мен \(item.options.count) аралығындағы санды жазыңыз.")
                try terminal.expect("> ")
                try terminal.type("\(try option("kk", of: item))\r")
            case "region":
                try terminal.expect("> ")
                try terminal.type("\(try option("tarbagatay", of: item))\r")
            case "consent":
                try terminal.expect("> ")
                try terminal.type("\(try option("archive_only", of: item))\r")
            case "current_city":
                // Two lines pasted into a one-line field: caught and asked about, not left to answer the next field.
                try terminal.expect("> ")
                try terminal.type("Қаскелең,\rАлматы облысы\r")
                try terminal.expect("Мұнда бір жол керек, бірақ бірден 2 жол келді (қойылған ба?):")
                try terminal.expect("2) Жолдарды бос орынмен біріктіру")
                try terminal.expect("> ")
                try terminal.type("2\r")
            case "violation_types":
                try terminal.expect("> ")
                try terminal.type(try violations.map { String(try option($0, of: item)) }.joined(separator: ", ") + "\r")
            default:
                if let text = texts[item.name] {
                    try terminal.expect("(.)")
                    try terminal.type(text.joined(separator: "\r") + "\r.\r")
                } else {
                    try terminal.expect("> ")
                    try terminal.type("\(try #require(lines[item.name], "no answer for \(item.name)"))\r")
                }
            }
        }

        // The evidence step comes after the fields; an empty line adds no file.
        try terminal.expect("Дәлел файлдары")
        try terminal.expect("(файл жоқ)")
        try terminal.type("\r")
        // The review shows everything, in NFC, within 80 columns; field 1 is corrected.
        try terminal.expect("==== Жіберер алдында айғақты тексеріңіз ====")
        let review = try terminal.expectPaging("«жіберу»", pager: Self.pagerKK)
        #expect(review.contains("Ақмарал Төлеубайқызы"))
        // String's contains compares canonically, so look at the bytes for NFC.
        #expect(Array(review.utf8).contains(bytes: Array(composed.utf8)))
        #expect(!Array(review.utf8).contains(bytes: Array("и\u{0306}".utf8)))
        #expect(review.contains("他被关押在额敏县看守所"))
        #expect(review.contains("Жұбайы"), "the relation is shown by its Kazakh label")
        for line in review.split(separator: "\r\n") {
            #expect(Self.columns(String(line)) <= 80, "too wide: \(line)")
        }
        // Paged to the 24-line terminal: several pages, none taller than the screen with its prompt.
        let pages = review.components(separatedBy: Self.pagerKK)
        #expect(pages.count >= 3, "the review was not paged")
        for page in pages.dropFirst() {
            #expect(page.components(separatedBy: "\r\n").count <= 24, "a page taller than the terminal")
        }
        try terminal.expect("> ")
        try terminal.type("1\r")
        try terminal.expect("[1/\(form.fields.count)] \(form.fields[0].label.kk)")
        try terminal.expect("> ")
        try terminal.type("Ақмарал Төлеубаева\r")
        try terminal.expect("==== Жіберер алдында айғақты тексеріңіз ====")
        let corrected = try terminal.expectPaging("«жіберу»", pager: Self.pagerKK)
        #expect(corrected.contains("Ақмарал Төлеубаева"))
        // Correcting a field shows its value, and Enter keeps it (it used to erase it).
        let cityNumber = try #require(form.fields.firstIndex { $0.name == "current_city" }) + 1
        try terminal.expect("> ")
        try terminal.type("\(cityNumber)\r")
        try terminal.expect("Қазір:")
        try terminal.expect(lines["current_city"]!)
        try terminal.expect("Enter — өзгертпеу; - — өшіру; не жаңа жауапты жазыңыз.")
        try terminal.expect("> ")
        try terminal.type("\r")
        try terminal.expect("==== Жіберер алдында айғақты тексеріңіз ====")
        let kept = try terminal.expectPaging("«жіберу»", pager: Self.pagerKK)
        #expect(kept.contains(lines["current_city"]!))
        // One sub-field of the first relative corrected, the others kept with Enter.
        let relativesAt = try #require(form.fields.firstIndex { $0.name == "relatives" }) + 1
        try terminal.expect("> ")
        try terminal.type("\(relativesAt)\r")
        try terminal.expect("-N")
        try terminal.expect("> ")
        try terminal.type("1\r")
        try Self.correctSubfield(
            "location", to: correctedLocation, of: try field("relatives").subfields, on: terminal, now: "Қазір:"
        ) { "1-жазба: \($0.label.kk)" }
        try terminal.expect("-N")
        try terminal.expect("> ")
        try terminal.type("\r")
        try terminal.expect("==== Жіберер алдында айғақты тексеріңіз ====")
        let relativeCorrected = try terminal.expectPaging("«жіберу»", pager: Self.pagerKK)
        #expect(relativeCorrected.contains(correctedLocation))
        #expect(relativeCorrected.contains(relative["name"]!))
        #expect(relativeCorrected.contains(relativeNotes[1]))
        // Relatives are corrected entry by entry: add a second one with only its required sub-fields.
        let relatives = try field("relatives")
        let relativesNumber = try #require(form.fields.firstIndex { $0.name == "relatives" }) + 1
        try terminal.expect("> ")
        try terminal.type("\(relativesNumber)\r")
        try terminal.expect("-N")
        try terminal.expect("> ")
        try terminal.type("+\r")
        for sub in relatives.subfields {
            try terminal.expect("\(relatives.label.kk), 2-жазба: \(sub.label.kk)")
            switch sub.name {
            case "name":
                try terminal.expect("> ")
                try terminal.type("Зәуре Қасымқызы\r")
            case "relation":
                try terminal.expect("> ")
                try terminal.type("\(try option("mother", of: sub))\r")
            case "notes":
                try terminal.expect("(.)")
                try terminal.type(".\r")
            default:
                try terminal.expect("> ")
                try terminal.type("\r")
            }
        }
        try terminal.expect("-N")
        try terminal.expect("> ")
        try terminal.type("\r")
        try terminal.expect("==== Жіберер алдында айғақты тексеріңіз ====")
        let withSecond = try terminal.expectPaging("«жіберу»", pager: Self.pagerKK)
        #expect(withSecond.contains("Туыстары, 2-жазба"))
        #expect(withSecond.contains("Зәуре Қасымқызы"))
        // A long text is not retyped to add to it: lines are added at its end.
        let narrativeNumber = try #require(form.fields.firstIndex { $0.name == "narrative" }) + 1
        try terminal.expect("> ")
        try terminal.type("\(narrativeNumber)\r")
        try terminal.expect("2) соңына жол қосу")
        try terminal.expect("> ")
        try terminal.type("2\r")
        try terminal.expect("(.)")
        try terminal.type("\(addedLine)\r.\r")
        try terminal.expect("==== Жіберер алдында айғақты тексеріңіз ====")
        let withAddition = try terminal.expectPaging("«жіберу»", pager: Self.pagerKK)
        #expect(withAddition.contains(addedLine))
        try terminal.expect("> ")
        try terminal.type("Жиберу\r")  // жіберу, on a Russian keyboard, capitalised
        try terminal.expect("Айғақ сақталды. Жазба нөмірі: ")
        let recordID = try terminal.expect("\r\n").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(recordID.count == 32)
        // The real amanatd's signed receipt and the one-time withdrawal token, in Kazakh.
        try terminal.expect("Түбіртек: {")
        let receiptLine = try terminal.expect("\r\n")
        #expect(receiptLine.contains("\"record_id\":\"\(recordID)\"") && receiptLine.contains("amanat-sig-"))
        try terminal.expect("Кері қайтарып алу коды: amanat-wt-")
        #expect(try terminal.finish() == 0)

        #expect(await daemon.stop() == 0)
        let opened = try await key.open(daemon.databasePath)
        #expect(opened.status == 0, "\(opened.stderr)")
        let records = try opened.stdoutLines.map { try JSONParser().parse(Array($0.utf8)) }
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record["record_id"]?.stringValue == recordID)
        var expected: [String: JSONValue] = [
            "full_name": .string("Ақмарал Төлеубаева"),
            "birth_date": .string("1985-07"),
            "relatives": .array([.object([
                "name": .string(relative["name"]!), "relation": .string("spouse"),
                "location": .string(correctedLocation), "status": .string("imprisoned"),
                "notes": .string(relativeNotes.joined(separator: "\n")),
            ]), .object(["name": .string("Зәуре Қасымқызы"), "relation": .string("mother")])]),
            "language": .string("kk"),
            "region": .string("tarbagatay"),
            "violation_types": .array(violations.map(JSONValue.string)),
            "consent": .string("archive_only"),
        ]
        for (name, value) in lines { expected[name] = .string(value) }
        for (name, value) in texts { expected[name] = .string(value.joined(separator: "\n").nfc) }
        expected["narrative"] = .string((narrative + [addedLine]).joined(separator: "\n").nfc)
        #expect(Set(expected.keys) == Set(form.fields.map(\.name)), "the test answers every field")
        let fields = try #require(record["fields"]?.objectValue)
        #expect(Set(fields.keys) == Set(expected.keys))
        for (name, value) in expected {
            #expect(fields[name] == value, "field \(name) differs")
        }
        // String equality is canonical equivalence, so compare the stored bytes for NFC.
        #expect(opened.stdout.contains(bytes: Array(composed.utf8)))
        #expect(!opened.stdout.contains(bytes: Array("и\u{0306}".utf8)))
        #expect(try Self.isEmptyDirectory(work))
        #expect(try Self.isEmptyDirectory(tmp))
    }

    @Test("Ctrl-C mid-form, then discard: nothing stored, no file left, exit code 130 (screens in Russian from LANG)")
    func interruptDiscards() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let form = try Self.shippedForm()
        let work = try Self.makeDirectory(directory, "work")
        let tmp = try Self.makeDirectory(directory, "tmp")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"), ["--socket", daemon.socketPath, "submit", "--interactive"],
            environment: Self.environment(tmp: tmp, lang: "ru_RU.UTF-8"), directory: work
        )
        try terminal.expect("[1/\(form.fields.count)] \(form.fields[0].label.ru)")
        try terminal.expect("> ")
        try terminal.type("Сауле Омарова\r")
        try terminal.expect("[2/\(form.fields.count)] \(form.fields[1].label.ru)")
        try terminal.expect("> ")
        try terminal.type([0x03])
        try terminal.expect("Удалить всё введённое? [д/Н]")
        try terminal.type("н\r")
        try terminal.expect("Продолжаем")
        try terminal.expect("> ")
        try terminal.type("Saule Omarova\r")
        try terminal.expect("[3/\(form.fields.count)] \(form.fields[2].label.ru)")
        try terminal.expect("> ")
        try terminal.type([0x03])
        try terminal.expect("Удалить всё введённое? [д/Н]")
        try terminal.type("д\r")
        try terminal.expect("Удалено. Ничего не отправлено.")
        #expect(try terminal.finish() == 130)

        #expect(await daemon.stop() == 0)
        #expect(try Self.recordCount(daemon.databasePath) == 0)
        #expect(try Self.isEmptyDirectory(work))
        #expect(try Self.isEmptyDirectory(tmp))
    }

    @Test("end of input at the first prompt stores nothing and asks nothing; a narrow terminal gets narrow lines")
    func endOfFileAtFirstPrompt() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let form = try Self.shippedForm()
        let work = try Self.makeDirectory(directory, "work")
        let tmp = try Self.makeDirectory(directory, "tmp")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"), ["--socket", daemon.socketPath, "submit", "--interactive", "--lang", "en"],
            environment: Self.environment(tmp: tmp, lang: "kk_KZ.UTF-8"), directory: work, columns: 40
        )
        try terminal.expect("[1/\(form.fields.count)] \(form.fields[0].label.en) * (required)")
        try terminal.expect("> ")
        for line in String(decoding: terminal.output, as: UTF8.self).split(separator: "\r\n") {
            #expect(Self.columns(String(line)) <= 40, "wider than the 40-column terminal: \(line)")
        }
        try terminal.type([0x04])  // Ctrl-D
        try terminal.expect("Discarded. Nothing was sent.")
        #expect(try terminal.finish() == 130)
        #expect(!terminal.output.contains(bytes: Array("Discard everything".utf8)))
        #expect(DraftTests.drafts(daemon).isEmpty, "discarding deletes the draft")

        #expect(await daemon.stop() == 0)
        #expect(try Self.recordCount(daemon.databasePath) == 0)
        #expect(try Self.isEmptyDirectory(work))
        #expect(try Self.isEmptyDirectory(tmp))
    }

    /// What amanatd answers to a stored testimony (PROTOCOL.md 2.4): a receipt object and an `amanat-wt-` token, in
    /// the shapes it sends. The signature is not over these members (the client shows a receipt, it does not verify
    /// it here), but its form is a real one's.
    static func storedAnswer(recordID: String) -> (body: String, receipt: String, token: String) {
        let receipt = JSONValue.object([
            "entry_hash": .string("425fec8a01efad2451303fcf9463e8ef635ae3818e709a97911e657279cd3b4d"),
            "record_id": .string(recordID), "seq": .number("1"),
            "signature": .string(
                "uyIR548yul4R/ysU0I6VYlc292HfgWDp3NqobFRtlLGnWZ+Vn60p2WDghFfDe/i8zh1tRr4R/esbxwyKouHTDg=="
            ),
            "signing_key": .string("amanat-sig-64alcv5dfy2ydyh4ezl5lvexavb6klpwqom22yezrp2kbfxibmkwn2y2ua"),
            "v": .number("1"),
        ])
        let token = "amanat-wt-lprjslsfi5b2pykspqn2r3df6wsry2hq3hlgo2w3qtgfigcynpgq"
        let body = JSONValue.object([
            "received": .string("2026-11-29"), "receipt": receipt, "record_id": .string(recordID),
            "withdrawal_token": .string(token),
        ])
        return (body.canonicalString(), receipt.canonicalString(), token)
    }

    @Test("a refusal after sending returns to review; the receipt and withdrawal token are printed with the note")
    func refusalThenReceipt() async throws {
        let directory = try TempDir()
        let form = try Self.shippedForm()
        let served = form.json.canonicalString()
        let recordID = "0123456789abcdef0123456789abcdef"
        let stored = Self.storedAnswer(recordID: recordID)
        let server = try ScriptedServer(path: directory.file("scripted.sock")) { request, index in
            switch (request.method, request.path, index) {
            case ("GET", "/v1/forms/testimony", _):
                return (200, served)
            case ("POST", "/v1/testimonies", 1):
                // A refusal in the shape amanatd gives one (PROTOCOL.md 4.1).
                return (422, #"{"detail":"narrative is not accepted","field":"narrative","status":422,"title":"Invalid value","type":"urn:amanat:problem:invalid-value"}"#)
            case ("POST", "/v1/testimonies", _):
                return (201, stored.body)
            default:
                return (404, "{}")
            }
        }
        let tmp = try Self.makeDirectory(directory, "tmp")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"),
            // No draft: the scripted server counts requests, and keeps none.
            [
                "--socket", server.socketPath, "submit", "--interactive", "--lang", "en", "--form", "testimony",
                "--no-draft",
            ],
            environment: Self.environment(tmp: tmp, lang: "C.UTF-8"), directory: tmp
        )
        var expected: [String: JSONValue] = [:]
        for (index, field) in form.fields.enumerated() {
            try terminal.expect("[\(index + 1)/\(form.fields.count)] \(field.label.en)")
            switch (field.type, field.required) {
            case (.records, _):
                try terminal.expect("[y/N]")
                try terminal.type("n\r")
            case (.text, true):
                try terminal.expect("(.)")
                try terminal.type("Something happened.\r.\r")
                expected[field.name] = .string("Something happened.")
            case (.text, false):
                try terminal.expect("(.)")
                try terminal.type(".\r")
            case (.enumeration, true):
                try terminal.expect("> ")
                try terminal.type("1\r")
                expected[field.name] = .string(field.options[0].value)
            case (_, true):
                try terminal.expect("> ")
                try terminal.type("Test Witness\r")
                expected[field.name] = .string("Test Witness")
            default:
                try terminal.expect("> ")
                try terminal.type("\r")
            }
        }
        try terminal.expect("Evidence files")
        try terminal.expect("> ")
        try terminal.type("\r")
        for _ in 0..<2 {
            try terminal.expect("==== Review the testimony before sending ====")
            try terminal.expectPaging("\u{201C}send\u{201D}", pager: Self.pagerEN)
            try terminal.expect("> ")
            try terminal.type("send\r")
        }
        let beforeSecondReview = String(decoding: terminal.output, as: UTF8.self)
        #expect(beforeSecondReview.contains("amanatd refused the testimony: narrative is not accepted."))
        try terminal.expect("The testimony was stored. Record id: \(recordID)")
        // The review was wiped from the screen and the scrollback before the confirmation.
        let shown = terminal.output
        let wipe = Array("\u{1B}[H\u{1B}[2J\u{1B}[3J".utf8)
        let confirmation = Array("The testimony was stored".utf8)
        let wipeAt = shown.indices.last { shown[$0...].starts(with: wipe) }
        let confirmationAt = shown.indices.last { shown[$0...].starts(with: confirmation) }
        #expect(wipeAt != nil && confirmationAt != nil && wipeAt! < confirmationAt!, "the screen was not wiped first")
        try terminal.expect("Receipt: \(stored.receipt)")
        try terminal.expect("Withdrawal token: \(stored.token)")
        try terminal.expect("Give the withdrawal token to the witness now. It is shown only once")
        #expect(try terminal.finish() == 0)

        let posts = server.received.filter { $0.method == "POST" }
        #expect(posts.count == 2)
        for post in posts {
            let body = try JSONParser().parse(post.body)
            #expect(body == .object(["form": .string("testimony"), "fields": .object(expected)]))
        }
        #expect(try Self.isEmptyDirectory(tmp))
    }

    @Test("a form picked from a menu, with a yes/no field, in Russian, with the receipt and token in Russian")
    func formMenuAndYesNo() async throws {
        let directory = try TempDir()
        let followUp = Form(
            id: "followup", version: 3,
            title: LocalizedText(en: "Follow-up", ru: "Повторная беседа", kk: "Қайта сұхбат"), description: nil,
            fields: [
                FormField(
                    name: "contact_ok", type: .bool, section: .clear, required: true, maxLength: nil, maxItems: nil,
                    label: LocalizedText(en: "May we call again?", ru: "Можно ли позвонить снова?", kk: "Қайта қоңырау шалуға бола ма?"),
                    help: nil, options: [], subfields: []
                ),
                FormField(
                    name: "name", type: .line, section: .identity, required: false, maxLength: 10, maxItems: nil,
                    label: LocalizedText(en: "Name", ru: "Имя", kk: "Аты"), help: nil, options: [], subfields: []
                ),
                FormField(
                    name: "notes", type: .text, section: .testimony, required: false, maxLength: 10_000,
                    maxItems: nil, label: LocalizedText(en: "Notes", ru: "Заметки", kk: "Ескертпе"), help: nil,
                    options: [], subfields: []
                ),
            ]
        )
        let testimony = try Self.shippedForm()
        let list = JSONValue.object(["forms": .array([testimony.summaryJSON, followUp.summaryJSON])]).canonicalString()
        let served = followUp.json.canonicalString()
        let stored = Self.storedAnswer(recordID: "fedcba9876543210fedcba9876543210")
        let server = try ScriptedServer(path: directory.file("scripted.sock")) { request, _ in
            switch (request.method, request.path) {
            case ("GET", "/v1/forms"): (200, list)
            case ("GET", "/v1/forms/followup"): (200, served)
            case ("POST", "/v1/testimonies"): (201, stored.body)
            default: (404, "{}")
            }
        }
        let tmp = try Self.makeDirectory(directory, "tmp")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"), ["--socket", server.socketPath, "submit", "--interactive"],
            environment: Self.environment(tmp: tmp, lang: "ru_KZ.UTF-8"), directory: tmp
        )
        try terminal.expect("Выберите форму:")
        try terminal.expect("2) Повторная беседа [followup]")
        try terminal.expect("> ")
        try terminal.type("2\r")
        try terminal.expect("[1/3] Можно ли позвонить снова? * (обязательно)")
        try terminal.expect("да/нет (y/n) ")
        try terminal.type("может быть\r")
        try terminal.expect("Ответьте д (да) или н (нет).")
        try terminal.expect("да/нет (y/n) ")
        try terminal.type("да\r")
        try terminal.expect("[2/3] Имя (необязательно)")
        try terminal.expect("> ")
        try terminal.type("Абдурахман Тохти\r")  // longer than the form's 10 characters
        try terminal.expect("Ответ длиннее 10 символов.")
        try terminal.expect("> ")
        try terminal.type("Ибрагим\r")
        // Linux cuts a canonical-mode line at 4095 bytes; the volunteer is warned.
        try terminal.expect("[3/3] Заметки (необязательно)")
        try terminal.expect("(.)")
        try terminal.type(String(repeating: "ж", count: 2_500) + "\r")
        try terminal.expect("Внимание: эта строка достигла предела терминала в 4095 байт")
        try terminal.type("конец\r.\r")
        try terminal.expect("Файлы-доказательства")
        try terminal.expect("> ")
        try terminal.type("\r")
        try terminal.expect("==== Проверьте показания перед отправкой ====")
        let review = try terminal.expectPaging("«отправить»", pager: Self.pagerRU)
        #expect(review.contains("1. Можно ли позвонить снова? *\r\n    да"))
        try terminal.expect("> ")
        try terminal.type("отправить\r")
        try terminal.expect("Показания сохранены. Номер записи: fedcba9876543210fedcba9876543210")
        try terminal.expect("Квитанция: \(stored.receipt)")
        try terminal.expect("Код отзыва: \(stored.token)")
        #expect(try terminal.finish() == 0)

        let posts = server.received.filter { $0.method == "POST" }
        #expect(posts.count == 1)
        var body = try JSONParser().parse(try #require(posts.first).body)
        let notes = try #require(body["fields"]?["notes"]?.stringValue)
        #expect(notes.hasSuffix("\nконец"))
        #expect(notes.utf8.count <= IntakeLimits.canonicalLine + "\nконец".utf8.count)
        #expect(notes.dropLast("\nконец".count).allSatisfy { $0 == "ж" })
        if case .object(var object) = body, case .object(var fields)? = object["fields"] {
            fields["notes"] = nil
            object["fields"] = .object(fields)
            body = .object(object)
        }
        #expect(body == .object(["form": .string("followup"), "fields": .object([
            "contact_ok": .bool(true), "name": .string("Ибрагим"),
        ])]))
    }
}

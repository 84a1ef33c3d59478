import AmanatJSON
import Foundation
import GRDB
import Glibc
import Testing

/// `amanat-keyholder open` for people: CSV for spreadsheets, HTML and Markdown reports, the progress bar.
@Suite("key holder reports")
struct KeyHolderReportTests {
    /// A daemon with `key` (or a new one) as recipient unless `recipients` are given, `documents` submitted, then
    /// stopped; the key, the database path and the record ids.
    static func database(
        in directory: TempDir, submitting documents: [[UInt8]], extraArguments: [String] = [], recipients: [String]? = nil,
        key: TestKey? = nil
    ) async throws -> (TestKey, String, [String]) {
        let made: TestKey? = key == nil ? try await TestKey.make(in: directory) : nil
        let key = key ?? made!
        let daemon = try Daemon(in: directory, recipients: recipients ?? [key.publicKey], extraArguments: extraArguments)
        var ids: [String] = []
        for document in documents {
            let outcome = try await daemon.amanat(["submit", "-"], stdin: document)
            try #require(outcome.status == 0, "\(outcome.stderr)")
            ids.append(try #require(outcome.stdoutLines.first))
        }
        #expect(await daemon.stop() == 0)
        return (key, daemon.databasePath, ids)
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    @Test("CSV: formula cells neutralised, quotes doubled, CRLF line ends, UTF-8 BOM with --bom")
    func csv() async throws {
        let directory = try TempDir()
        let testimony = """
            {"form":"testimony","fields":{"full_name":"=HYPERLINK(\\"http://x.example\\",\\"click\\")",
            "other_names":"@SUM(1+1), \\"Aqmaral\\"","contact":"-1\\r\\nsecond line","language":"kk",
            "narrative":"+ not a formula","consent":"anonymised_publication","region":"ili"}}
            """
        let (key, database, ids) = try await Self.database(in: directory, submitting: [Array(testimony.utf8)])
        let path = directory.file("out.csv")
        let opened = try await key.open(database, extra: ["--format", "csv", "--bom", "--out", path])
        #expect(opened.status == 0, "\(opened.stderr)")
        let bytes = contents(path)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("\"record_id\","))
        #expect(text.hasSuffix("\r\n"))
        #expect(text.contains("\"\(ids[0])\""))
        #expect(text.contains("\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\""))
        #expect(text.contains("\"'@SUM(1+1), \"\"Aqmaral\"\"\""))
        // amanatd stores line breaks as submitted; inside quotes they are data, not the end of a row.
        #expect(text.contains("\"'-1\r\nsecond line\""))
        #expect(text.contains("\"'+ not a formula\""))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")

        let plain = directory.file("plain.csv")
        #expect(try await key.open(database, extra: ["--format", "csv", "--out", plain]).status == 0)
        #expect(contents(plain) == Array(bytes.dropFirst(3)))
        let misuse = try await key.open(database, extra: ["--bom"])
        #expect(misuse.status == 64)
    }

    @Test("CSV: the columns of every record, in the order first seen, before the first row; one row a record")
    func csvColumnsAcrossRecords() async throws {
        let directory = try TempDir()
        // Testimonies with different optional fields, so that a later record brings columns an earlier lacks.
        let documents = ["testimony-ru.json", "testimony.json", "testimony-zh.json", "testimony-kk.json"]
            .map { contents(Paths.example($0)) }
        let (key, database, ids) = try await Self.database(in: directory, submitting: documents)
        let lines = try await key.open(database)
        #expect(lines.status == 0)
        var expected: [String] = []
        for line in lines.stdoutLines {
            guard case .object(let fields)? = try JSONParser().parse(Array(line.utf8))["fields"] else { continue }
            for name in fields.keys.sorted() where !expected.contains(name) { expected.append(name) }
        }
        let path = directory.file("out.csv")
        let opened = try await key.open(database, extra: ["--format", "csv", "--out", path])
        #expect(opened.status == 0, "\(opened.stderr)")
        let text = String(decoding: contents(path), as: UTF8.self)
        let header = ["record_id", "form", "form_version", "received", "withdrawn"] + expected + ["unopened"]
        #expect(text.hasPrefix(header.map { "\"\($0)\"" }.joined(separator: ",") + "\r\n"))
        for id in ids { #expect(text.components(separatedBy: "\r\n\"\(id)\",").count == 2, "one row for \(id)") }
        #expect(opened.stderr.contains("opened \(ids.count) records"))
    }

    /// The examples in Kazakh, Chinese, Uyghur and Russian, and a testimony whose relative's name is a formula,
    /// submitted; the last withdrawn. The key, the database, the ids in storage order and the documents.
    static func caseWorkerArchive(in directory: TempDir) async throws -> (TestKey, String, [String], [[UInt8]]) {
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let formula = """
            {"form":"testimony","fields":{"full_name":"-Aqmaral","language":"ru","consent":"archive_only",
            "narrative":"x",
            "relatives":[{"name":"=HYPERLINK(\\"x.example\\")","relation":"sister","status":"missing"}]}}
            """
        let documents = ["testimony-kk.json", "testimony-zh.json", "testimony-ug.json", "testimony-ru.json"]
            .map { contents(Paths.example($0)) } + [Array(formula.utf8), contents(Paths.example("testimony.json"))]
        var ids: [String] = []
        var token = ""
        for document in documents {
            let outcome = try await daemon.amanat(["submit", "--json", "-"], stdin: document)
            try #require(outcome.status == 0, "\(outcome.stderr)")
            let answer = try JSONParser().parse(outcome.stdout)
            ids.append(try #require(answer["record_id"]?.stringValue))
            token = try #require(answer["withdrawal_token"]?.stringValue)
        }
        let tokenFile = try directory.write("token", Array(token.utf8))
        let withdrawn = try await daemon.amanat(["withdraw", ids.last!, "--token-file", tokenFile])
        try #require(withdrawn.status == 0, "\(withdrawn.stderr)")
        #expect(await daemon.stop() == 0)
        return (key, daemon.databasePath, ids, documents)
    }

    /// `text` read as RFC 4180 CSV: its records, each a list of cells without quotes.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], cell = "", quoted = false
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch (quoted, scalar) {
            case (true, "\""):
                if scalars.first == "\"" { cell.unicodeScalars.append(scalars.removeFirst()) } else { quoted = false }
            case (true, _): cell.unicodeScalars.append(scalar)
            case (false, "\""): quoted = true
            case (false, ","): record.append(cell); cell = ""
            case (false, "\r"): continue
            case (false, "\n"): record.append(cell); records.append(record); record = []; cell = ""
            default: cell.unicodeScalars.append(scalar)
            }
        }
        return records
    }

    @Test("CSV for case workers: the form's column order, labels in ru and kk, relatives in their own table, withdrawn")
    func caseWorkerCSV() async throws {
        let directory = try TempDir()
        let (key, database, ids, documents) = try await Self.caseWorkerArchive(in: directory)
        let path = directory.file("opened.csv")
        let opened = try await key.open(database, extra: ["--format", "csv", "--out", path, "--forms", Paths.forms,
                                                          "--labels", "ru"])
        #expect(opened.status == 0, "\(opened.stderr)")
        let table = Self.parseCSV(String(decoding: contents(path), as: UTF8.self))
        let formText = String(decoding: contents("\(Paths.forms)/testimony.toml"), as: UTF8.self)
        let formOrder = formText.split(separator: "\n").filter { $0.hasPrefix("name = ") && !$0.contains("  ") }
            .map { String($0.dropFirst(8).dropLast()) }
        let header = try #require(table.first)
        #expect(Array(header.prefix(5)) == ["record_id", "form", "form_version", "received", "withdrawn"])
        #expect(header.last == "unopened")
        let fields = Array(header.dropFirst(5).dropLast())
        let topLevel = formOrder.filter(fields.contains)
        #expect(fields == topLevel, "the form's order, not the order seen: \(fields)")
        #expect(fields.first == "full_name" && fields.contains("relatives") && fields.last == "consent")
        #expect(table.count == ids.count + 1 && table.dropFirst().map { $0[0] } == ids, "one row a record, in order")
        let column = { (name: String) in header.firstIndex(of: name)! }
        let kazakh = table[1]
        #expect(kazakh[column("language")] == "Казахский")
        #expect(kazakh[column("consent")] == "Только в архив")
        #expect(kazakh[column("withdrawn")] == "false")
        let kazakhFields = try #require(try JSONParser().parse(documents[0])["fields"])
        let relativesCount = try #require(kazakhFields["relatives"]?.arrayValue?.count)
        #expect(kazakh[column("relatives")] == String(relativesCount), "the main table holds their number")
        #expect(table[5][column("full_name")] == "'-Aqmaral", "a formula stays neutralised")
        let withdrawn = table[6]
        #expect(withdrawn[column("withdrawn")] == "true")
        #expect(withdrawn[column("full_name")] == "" && withdrawn.last == "")

        let relativesPath = directory.file("opened.relatives.csv")
        #expect(Self.mode(relativesPath) == 0o600)
        let relatives = Self.parseCSV(String(decoding: contents(relativesPath), as: UTF8.self))
        #expect(relatives.first == ["record_id", "number", "name", "relation", "location", "status", "notes"])
        let ofKazakh = relatives.filter { $0[0] == ids[0] }
        #expect(ofKazakh.map { $0[1] } == (1...relativesCount).map(String.init))
        #expect(ofKazakh.first?[3] == "Муж или жена", "relation as its Russian label")
        let first = try #require(try JSONParser().parse(documents[0])["fields"]?["relatives"]?.arrayValue?.first)
        #expect(ofKazakh.first?[2] == first["name"]?.stringValue)
        #expect(relatives.contains { $0[0] == ids[4] && $0[2] == "'=HYPERLINK(\"x.example\")" },
                "a relative's formula is neutralised too")
        #expect(!relatives.contains { $0[0] == ids[5] }, "a withdrawn record has no relatives")

        // Kazakh labels; codes without --labels.
        let kk = directory.file("kk.csv")
        #expect(try await key.open(database, extra: ["--format", "csv", "--out", kk, "--forms", Paths.forms,
                                                     "--labels", "kk"]).status == 0)
        let kkTable = Self.parseCSV(String(decoding: contents(kk), as: UTF8.self))
        #expect(kkTable[1][column("language")] == "Қазақ тілі")
        #expect(Self.parseCSV(String(decoding: contents(directory.file("kk.relatives.csv")), as: UTF8.self))
            .first { $0[0] == ids[0] }?[3] == "Жұбайы")
        let codes = directory.file("codes.csv")
        let coded = try await key.open(database, extra: ["--format", "csv", "--out", codes, "--forms", Paths.forms])
        #expect(coded.status == 0)
        #expect(Self.parseCSV(String(decoding: contents(codes), as: UTF8.self))[1][column("language")] == "kk")
        // --labels is for CSV; an existing relatives file stops the run and leaves nothing behind.
        #expect(try await key.open(database, extra: ["--labels", "ru"]).status == 64)
        _ = try directory.write("new.relatives.csv", [])
        let refused = try await key.open(database, extra: ["--format", "csv", "--out", directory.file("new.csv"),
                                                           "--forms", Paths.forms])
        #expect(refused.status == 1 && refused.stderr.contains("new.relatives.csv"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("new.csv")), "the main table is removed")
    }

    @Test("HTML for case workers: the index's columns, one sorted index per column, all.html in order, the fonts")
    func caseWorkerHTML() async throws {
        let directory = try TempDir()
        let (key, database, ids, _) = try await Self.caseWorkerArchive(in: directory)
        let out = directory.file("report")
        let opened = try await key.open(database, extra: ["--format", "html", "--out", out, "--lang", "ru",
                                                          "--forms", Paths.forms])
        #expect(opened.status == 0, "\(opened.stderr)")
        let sorted = ReportIndexColumns.all
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == (ids.map { "\($0).html" } + ["index.html", "all.html"] + sorted.map { "index-\($0).html" })
            .sorted())
        for file in files {
            #expect(Self.mode("\(out)/\(file)") == 0o600, "\(file)")
            let page = String(decoding: contents("\(out)/\(file)"), as: UTF8.self)
            #expect(!page.lowercased().contains("<script"), "\(file)")
            #expect(!page.contains("http:") && !page.contains("https:"), "\(file) refers to something outside")
        }
        let index = String(decoding: contents("\(out)/index.html"), as: UTF8.self)
        for heading in ["Язык", "Регион", "Нарушения", "Согласие", "Свидетель"] {
            #expect(index.contains(">\(heading)</a></th>"), "\(heading)")
        }
        for name in sorted { #expect(index.contains("<a href=\"index-\(name).html\">"), "\(name)") }
        #expect(index.contains(">Казахский</td>") && index.contains(">Только в архив</td>"))
        #expect(index.contains("fonts-noto-cjk fonts-noto-core"), "the fonts to install")
        // Sorted by the witness: the rows in the Russian collation of the names, the withdrawn record last.
        let byWitness = String(decoding: contents("\(out)/index-witness.html"), as: UTF8.self)
        let rows = ids.map { byWitness.range(of: "<a href=\"\($0).html\">")!.lowerBound }
        #expect(rows.max() == rows.last, "no name, last")
        #expect(byWitness.contains("<th aria-sort=\"ascending\"><a href=\"index-witness.html\">Свидетель</a> ▲</th>"))
        // all.html: every testimony, in storage order, one document, a page break before each.
        let all = String(decoding: contents("\(out)/all.html"), as: UTF8.self)
        let articles = ids.map { all.range(of: "<article id=\"r\($0)\"")?.lowerBound }
        #expect(!articles.contains(nil))
        #expect(articles.compactMap { $0 } == articles.compactMap { $0 }.sorted())
        #expect(all.contains("article + article { break-before: page; }"))
        #expect(all.hasSuffix("</body>\n</html>\n"))
        // The Chinese example's page names the CJK fonts, the Uyghur one the Arabic-script fonts too; a page in
        // Latin and Cyrillic only, none.
        #expect(String(decoding: contents("\(out)/\(ids[1]).html"), as: UTF8.self).contains("fonts-noto-cjk"))
        #expect(String(decoding: contents("\(out)/\(ids[2]).html"), as: UTF8.self).contains("fonts-noto-core"))
        #expect(!String(decoding: contents("\(out)/\(ids[4]).html"), as: UTF8.self).contains("fonts-noto"))
    }

    @Test("HTML: one page per record and an index, labelled in the chosen language, no scripts or external resources")
    func html() async throws {
        let directory = try TempDir()
        let documents = [contents(Paths.example("testimony-kk.json")), contents(Paths.example("testimony-ug.json"))]
        let (key, database, ids) = try await Self.database(in: directory, submitting: documents)
        let out = directory.file("report")
        let opened = try await key.open(database, extra: ["--format", "html", "--out", out, "--lang", "kk",
                                                          "--forms", Paths.forms])
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(Self.mode(out) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        let sorted = ReportIndexColumns.all.map { "index-\($0).html" }
        #expect(files == (ids.map { "\($0).html" } + ["index.html", "all.html"] + sorted).sorted())
        for file in files {
            #expect(Self.mode("\(out)/\(file)") == 0o600, "\(file)")
            let page = String(decoding: contents("\(out)/\(file)"), as: UTF8.self)
            #expect(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""), "\(file)")
            #expect(!page.lowercased().contains("<script"), "\(file)")
            #expect(!page.contains("http:") && !page.contains("https:"), "\(file) refers to something outside")
        }
        let index = String(decoding: contents("\(out)/index.html"), as: UTF8.self)
        for id in ids { #expect(index.contains("<a href=\"\(id).html\">")) }
        #expect(index.contains("Ашылған айғақтар"))

        let page = String(decoding: contents("\(out)/\(ids[0]).html"), as: UTF8.self)
        let fields = try #require(try JSONParser().parse(documents[0])["fields"])
        #expect(page.contains("<html lang=\"kk\">"))
        #expect(page.contains(">Толық аты-жөні</dt><dd dir=\"auto\">\(try #require(fields["full_name"]?.stringValue))</dd>"))
        #expect(page.contains("<h2>Жеке басы</h2>") && page.contains("<h2>Айғақ</h2>"))
        #expect(page.contains("<th>Куәгерге кім болады</th>"), "relatives as a table")
        let relative = try #require(fields["relatives"]?.arrayValue?.first?["name"]?.stringValue)
        #expect(page.contains(relative))
        let uyghur = String(decoding: contents("\(out)/\(ids[1]).html"), as: UTF8.self)
        let uyghurName = try #require(try JSONParser().parse(documents[1])["fields"]?["full_name"]?.stringValue)
        #expect(uyghur.contains(uyghurName))

        // The same directory again: refused, nothing touched.
        let before = contents("\(out)/index.html")
        let again = try await key.open(database, extra: ["--format", "html", "--out", out])
        #expect(again.status == 1)
        #expect(again.stderr.contains("not empty"))
        #expect(contents("\(out)/index.html") == before)
        // html needs a directory.
        #expect(try await key.open(database, extra: ["--format", "html"]).status == 64)
    }

    @Test("HTML: a tampered section is shown as tampered on its page and in the index; the rest still opens")
    func tampered() async throws {
        let directory = try TempDir()
        let document = contents(Paths.example("testimony.json"))
        let (key, database, ids) = try await Self.database(in: directory, submitting: [document, document])
        let queue = try DatabaseQueue(path: database)
        try await queue.write { db in
            try db.execute(sql: "UPDATE records SET identity_envelope = substr(identity_envelope, 1, 100) WHERE seq = 1")
        }
        try queue.close()
        let out = directory.file("report")
        // The ledger refuses the altered archive; past it, the page shows which section was altered.
        #expect(try await key.open(database, extra: ["--format", "html", "--out", out]).status == 7)
        #expect(!FileManager.default.fileExists(atPath: out), "a refused archive leaves no report")
        let opened = try await key.open(database, extra: ["--format", "html", "--out", out, "--lang", "en",
                                                          "--forms", Paths.forms, "--no-verify"])
        #expect(opened.status == 6, "\(opened.stderr)")
        let page = String(decoding: contents("\(out)/\(ids[0]).html"), as: UTF8.self)
        #expect(page.contains("<p class=\"alert tampered\" role=\"alert\">Status: TAMPERED</p>"))
        let identity = try #require(page.range(of: "<section class=\"section-identity\">"))
        let testimony = try #require(page.range(of: "<section class=\"section-testimony\">"))
        let identityHTML = page[identity.upperBound..<testimony.lowerBound]
        #expect(identityHTML.contains("<div class=\"alert tampered\" role=\"alert\"><p><strong>TAMPERED:"))
        #expect(identityHTML.contains("tampered: envelope is truncated"))
        #expect(!identityHTML.contains("<dt"), "no fields of the tampered section")
        #expect(page[testimony.upperBound...].contains(">Testimony</dt>"), "the testimony still opens")
        let intact = String(decoding: contents("\(out)/\(ids[1]).html"), as: UTF8.self)
        #expect(!intact.contains("role=\"alert\""))
        let index = String(decoding: contents("\(out)/index.html"), as: UTF8.self)
        #expect(index.contains("<tr class=\"tampered\"><td>1</td>"))
        #expect(index.contains("<dt>TAMPERED</dt><dd>1</dd>"))
    }

    @Test("Markdown in the language of LANG, and a section no key opens is marked on the page")
    func markdown() async throws {
        let directory = try TempDir()
        let identityKey = try await TestKey.make(in: directory, name: "identity")
        let testimonyKey = try await TestKey.make(in: directory, name: "testimony")
        let (_, database, ids) = try await Self.database(
            in: directory, submitting: [contents(Paths.example("testimony-ru.json"))],
            extraArguments: ["--identity-recipient", identityKey.publicKey, "--testimony-recipient", testimonyKey.publicKey],
            recipients: [], key: identityKey
        )
        let out = directory.file("md")
        let opened = try await run(
            Paths.binary("amanat-keyholder"),
            ["open", database, "--key", identityKey.keyFile, "--passphrase-file", identityKey.passphraseFile,
             "--format", "md", "--out", out, "--forms", Paths.forms] + pinningOwnKey(database),
            environment: ["LANG": "ru_RU.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""]
        )
        #expect(opened.status == 5, "the testimony section did not open: \(opened.stderr)")
        let page = String(decoding: contents("\(out)/\(ids[0]).md"), as: UTF8.self)
        let name = try #require(try JSONParser().parse(contents(Paths.example("testimony-ru.json")))["fields"]?["full_name"]?.stringValue)
        #expect(page.contains("### Фамилия, имя, отчество\n\n\(name)\n"))
        #expect(page.contains("## Показания\n\n> **Не открыто: ни один из указанных ключей не открывает этот раздел.**"))
        #expect(page.contains("> **Состояние: открыто не полностью**"))
        #expect(!page.contains("<script") && !page.contains("http:") && !page.contains("https:"))
        let index = String(decoding: contents("\(out)/index.md"), as: UTF8.self)
        #expect(index.contains("[\(ids[0])](\(ids[0]).md)"))
        #expect(Self.mode(out) == 0o700 && Self.mode("\(out)/index.md") == 0o600)
    }

    @Test("a progress bar on stderr when it is a terminal, and none otherwise",
          .required(access("/usr/bin/script", X_OK) == 0, "script(1) is not installed (Debian: bsdutils)"))
    func progress() async throws {
        let directory = try TempDir()
        let document = contents(Paths.example("testimony.json"))
        let (key, database, _) = try await Self.database(in: directory, submitting: [document, document, document])
        let quiet = try await key.open(database, extra: ["--out", directory.file("quiet.jsonl")])
        #expect(quiet.status == 0)
        #expect(!quiet.stderr.contains("opening records") && !quiet.stderr.contains("\r"))

        // script(1) gives the key holder a pseudo-terminal for its standard streams.
        let command = ([Paths.binary("amanat-keyholder"), "open", database, "--key", key.keyFile,
                        "--passphrase-file", key.passphraseFile, "--out", directory.file("tty.jsonl")] + pinningOwnKey(database))
            .map { "'\($0)'" }.joined(separator: " ")
        let terminal = try await run("/usr/bin/script", ["-qfec", command, "/dev/null"])
        #expect(terminal.status == 0, "\(terminal.stdoutText)")
        #expect(terminal.stdoutText.contains("opening records [" + String(repeating: "#", count: 30) + "] 3/3"))
        #expect(terminal.stdoutText.contains("opened 3 records"))
        #expect(contents(directory.file("tty.jsonl")) == contents(directory.file("quiet.jsonl")))
    }
}

/// The columns an HTML report's index is sorted by, each with its own page (FORMAT.md section 8.3).
enum ReportIndexColumns {
    static let all = ["received", "form", "language", "region", "violations", "consent", "witness", "status"]
}

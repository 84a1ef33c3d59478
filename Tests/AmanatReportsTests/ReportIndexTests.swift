import AmanatReports
import Testing

/// The report index a case worker reads first: its columns, its sorted pages, all.html and the font note.
@Suite("report index")
struct ReportIndexTests {
    /// A testimony of `name` in `language` from `region`.
    static func record(_ number: Int, name: String, language: String, region: String, consent: String) -> OpenedRecord {
        var record = OpenedRecord(
            recordID: String(repeating: String(number), count: 32), formID: "testimony", formVersion: 1,
            received: "2026-11-0\(number)"
        )
        record.fields[.clear] = [
            "language": .string(language), "region": .string(region), "consent": .string(consent),
            "violation_types": .array([.string("torture")]),
        ]
        record.fields[.identity] = ["full_name": .string(name)]
        return record
    }

    static func index(_ language: ReportLanguage) throws -> ReportIndex {
        let builder = ReportBuilder(forms: try ReportTests.library(), language: language)
        var index = ReportIndex(language: language)
        let records = [
            record(1, name: "Қайрат", language: "kk", region: "ili", consent: "archive_only"),
            record(2, name: "Әсел", language: "zh", region: "tarbagatay", consent: "named_publication"),
            record(3, name: "Кенжебек", language: "ug", region: "altay", consent: "anonymised_publication"),
            record(4, name: "Айгүл", language: "ru", region: "ili", consent: "archive_only"),
        ]
        for record in records { index.add(builder.page(for: record)) }
        var withdrawn = OpenedRecord(recordID: String(repeating: "5", count: 32), formID: "testimony", formVersion: 1,
                                     received: "2026-11-05")
        withdrawn.withdrawn = true
        index.add(builder.page(for: withdrawn))
        return index
    }

    @Test("the index shows language, region, violations, consent and the witness's name, as labels")
    func columns() throws {
        let html = HTMLReport.render(try Self.index(.kk))
        for heading in ["Тілі", "Өңір", "Құқық бұзушылықтар", "Келісім", "Куәгер"] {
            #expect(html.contains(">\(heading)</a></th>"), "\(heading)")
        }
        #expect(html.contains("<td dir=\"auto\">Қытай тілі</td><td dir=\"auto\">Тарбағатай аймағы (Шәуешек)</td>"
            + "<td dir=\"auto\">Азаптау не қатыгездік көрсету</td><td dir=\"auto\">Есімімен жариялау</td>"
            + "<td dir=\"auto\">Әсел</td>"))
        #expect(html.contains("<td dir=\"auto\">куәгер кері алды</td>"), "the withdrawn record is in the index")
    }

    @Test("each column heading links to the index sorted by it; Kazakh names sort in the Kazakh alphabet")
    func sorted() throws {
        let index = try Self.index(.kk)
        // Kazakh order: А Ә … К Қ; code points would put Ә and Қ after every Russian letter.
        #expect(index.sorted(by: .witness).map(\.number) == [4, 2, 3, 1, 5], "empty (withdrawn) last")
        #expect(index.sorted(by: .status).map(\.number) == [5, 1, 2, 3, 4], "what needs attention first, then in order")
        #expect(index.sorted(by: .received).map(\.number) == [1, 2, 3, 4, 5])
        let page = HTMLReport.render(index, sortedBy: .witness)
        #expect(HTMLReport.indexFileName(sortedBy: .witness) == "index-witness.html")
        #expect(HTMLReport.indexFileName(sortedBy: nil) == "index.html")
        #expect(page.contains("<th aria-sort=\"ascending\"><a href=\"index-witness.html\">Куәгер</a> ▲</th>"))
        #expect(page.contains("<th><a href=\"index-region.html\">Өңір</a></th>"))
        #expect(page.contains("<th><a href=\"index.html\">№</a></th>"), "№ goes back to the order received")
        let rows = ["Айгүл", "Әсел", "Кенжебек", "Қайрат"].map { page.range(of: ">\($0)</td>")!.lowerBound }
        #expect(rows == rows.sorted())
        #expect(page.contains("<tr><td>4</td>"), "each row keeps its number in the order received")
        #expect(!page.lowercased().contains("<script"), "sorted without a script")
        #expect(page.contains("<a href=\"all.html\">"))
    }

    @Test("all.html: every testimony in order as an article, a page break before each when printed")
    func all() throws {
        let builder = ReportBuilder(forms: try ReportTests.library(), language: .ru)
        let first = builder.page(
            for: Self.record(1, name: "Қайрат", language: "kk", region: "ili", consent: "archive_only")
        )
        let second = builder.page(
            for: Self.record(2, name: "阿克玛拉", language: "zh", region: "ili", consent: "archive_only")
        )
        let html = HTMLReport.allHead(language: .ru) + HTMLReport.article(first) + HTMLReport.article(second)
            + HTMLReport.allTail(language: .ru)
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"ru\">"))
        #expect(html.hasSuffix("</body>\n</html>\n"))
        #expect(html.contains("article + article { break-before: page; }"))
        #expect(html.contains("@media print"))
        let articles = [first, second].map { html.range(of: "<article id=\"r\($0.recordID)\"")!.lowerBound }
        #expect(articles == articles.sorted())
        #expect(html.contains("Фамилия, имя, отчество"))
        #expect(html.components(separatedBy: "<html").count == 2, "one document")
        #expect(html.contains("fonts-noto-cjk fonts-noto-core"))
    }

    @Test("pages with Chinese or Uyghur text name the Debian font packages; others do not", arguments: [
        ("Ақмарал", [String]()),
        ("阿克玛拉", ["fonts-noto-cjk"]),
        ("ئاقمارال", ["fonts-noto-core"]),
        ("ئاقمارال 阿克玛拉", ["fonts-noto-cjk", "fonts-noto-core"]),
    ])
    func fonts(name: String, packages: [String]) throws {
        let builder = ReportBuilder(forms: try ReportTests.library(), language: .en)
        let page = builder.page(for: Self.record(1, name: name, language: "ug", region: "ili", consent: "archive_only"))
        #expect(page.scripts.neededPackages == packages)
        let html = HTMLReport.render(page)
        #expect(html.contains("install the Debian packages") == !packages.isEmpty)
        if !packages.isEmpty { #expect(html.contains("apt-get download \(packages.joined(separator: " "))")) }
        let index = HTMLReport.render(try Self.index(.en))
        #expect(index.contains("install the Debian packages fonts-noto-cjk fonts-noto-core"), "the index always says")
    }
}

extension String {
    fileprivate func components(separatedBy separator: String) -> [String] {
        split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}

import AmanatReports
import Foundation
import Testing

/// HTML and Markdown pages of known records, against the repository's testimony form.
@Suite("reports")
struct ReportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func library() throws -> FormLibrary {
        let library = FormLibrary(directory: "\(root)/config/forms")
        try #require(library.problems.isEmpty, "\(library.problems)")
        try #require(library.form(id: "testimony") != nil)
        return library
    }

    /// A record with hostile values in every section: markup, a script, a formula, a URL, right-to-left text.
    static func record() -> OpenedRecord {
        var record = OpenedRecord(recordID: "0123456789abcdef0123456789abcdef", formID: "testimony", formVersion: 1,
                                  received: "2026-11-29")
        record.fields[.clear] = ["language": .string("kk"), "violation_types": .array([.string("torture"), .string("surveillance")])]
        record.fields[.identity] = [
            "full_name": .string("Айгүл <script>alert(1)</script> \"Ä\" & 'x'"),
            "origin_place": .string("ئىلى <img src=https://example.org/x.png>"),
            "relatives": .array([
                .object(["name": .string("Ержан | [link](https://example.org)"), "relation": .string("brother"),
                         "status": .string("imprisoned")]),
            ]),
            "unknown_field": .string("kept"),
        ]
        record.fields[.testimony] = ["narrative": .string("# not a heading\n1. not a list\n    not code\n**bold** `code`")]
        return record
    }

    @Test("HTML: labels in the chosen language, enum labels, relatives as a table, everything escaped")
    func html() throws {
        let builder = ReportBuilder(forms: try Self.library(), language: .kk)
        let html = HTMLReport.render(builder.page(for: Self.record()))
        #expect(html.contains("<html lang=\"kk\">"))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"))
        #expect(html.contains(">Толық аты-жөні</dt>"), "the Kazakh label of full_name")
        #expect(html.contains("Айгүл &lt;script&gt;alert(1)&lt;/script&gt; &quot;Ä&quot; &amp; &#39;x&#39;"))
        #expect(html.contains("ئىلى &lt;img src=https://example.org/x.png&gt;"))
        #expect(html.contains("<li dir=\"auto\">Азаптау не қатыгездік көрсету</li>"), "enum_list as option labels")
        #expect(html.contains("<th>Куәгерге кім болады</th>"), "relatives as a table with sub-field labels")
        #expect(html.contains("<td dir=\"auto\">Ағасы не інісі</td>"), "the relation as its option label")
        #expect(html.contains(">unknown_field</dt><dd dir=\"auto\">kept</dd>"), "a field the form lacks, by name")
        let order = ["section-clear", "section-identity", "section-testimony"].map { html.range(of: $0)!.lowerBound }
        #expect(order == order.sorted(), "sections in the order clear, identity, testimony")
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("<img"))
        for attribute in ["src=", "href=\"http", "href='http", "url("] {
            #expect(!html.lowercased().replacingOccurrences(of: "src=https://example.org/x.png&gt;", with: "").contains(attribute))
        }
    }

    @Test("HTML: a tampered and an unopened section are marked, and their pages count in the index")
    func failures() throws {
        var record = Self.record()
        record.fields[.identity] = nil
        record.fields[.testimony] = nil
        record.failures[.identity] = .tampered("tampered: authentication failed")
        record.failures[.testimony] = .noKey("not openable with these keys")
        let builder = ReportBuilder(forms: try Self.library(), language: .en)
        let page = builder.page(for: record)
        let html = HTMLReport.render(page)
        #expect(html.contains("<div class=\"alert tampered\" role=\"alert\"><p><strong>TAMPERED:"))
        #expect(html.contains("tampered: authentication failed"))
        #expect(html.contains("<div class=\"alert unopened\" role=\"alert\"><p><strong>Not opened: none of the keys"))
        #expect(html.contains("Status: TAMPERED"))
        var index = ReportIndex(language: .en)
        index.add(builder.page(for: Self.record()))
        index.add(page)
        let indexHTML = HTMLReport.render(index)
        #expect(indexHTML.contains("<a href=\"0123456789abcdef0123456789abcdef.html\">"))
        #expect(indexHTML.contains("<dt>opened</dt><dd>1</dd>"))
        #expect(indexHTML.contains("<dt>TAMPERED</dt><dd>1</dd>"))
        #expect(indexHTML.contains("<tr class=\"tampered\">"))
    }

    @Test("without the form, fields are shown by their stored names and the page says so")
    func missingForm() {
        let builder = ReportBuilder(forms: FormLibrary(), language: .ru)
        let html = HTMLReport.render(builder.page(for: Self.record()))
        #expect(html.contains("Форма «testimony» не найдена"))
        #expect(html.contains(">full_name</dt>"))
        #expect(html.contains(">brother</td>"))
    }

    @Test("Markdown: labels in the chosen language, values escaped so that nothing becomes markup")
    func markdown() throws {
        let builder = ReportBuilder(forms: try Self.library(), language: .ru)
        let markdown = MarkdownReport.render(builder.page(for: Self.record()))
        #expect(markdown.contains("### Фамилия, имя, отчество\n\nАйгүл &lt;script&gt;alert(1)&lt;/script&gt; \"Ä\" &amp; 'x'\n"))
        #expect(markdown.contains("## Личность\n"))
        #expect(markdown.contains("- Пытки или жестокое обращение\n"))
        #expect(markdown.contains("| № | Имя | Кем приходится свидетелю |"))
        #expect(markdown.contains("| 1 | Ержан \\| \\[link\\](https\\://example.org) | Брат |"))
        #expect(markdown.contains("\\# not a heading\\\n1\\. not a list\\\n&#32;&#32;&#32;&#32;not code\\\n\\*\\*bold\\*\\* \\`code\\`\n"))
        #expect(!markdown.contains("<script"))
        #expect(!markdown.contains("http:") && !markdown.contains("https:"))
    }

    @Test("Markdown escaping", arguments: [
        ("plain text", "plain text"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("===", "\\==="),
        ("12) x", "12\\) x"),
        ("3.5 kg", "3.5 kg"),
        ("a_b*c", "a\\_b\\*c"),
        ("<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"),
        ("see www.example.org", "see www\\.example.org"),
        ("  indented", "&#32;&#32;indented"),
        ("Қазақ тілі", "Қазақ тілі"),
    ])
    func markdownEscaping(input: String, expected: String) {
        #expect(MarkdownReport.escape(input) == expected)
    }

    @Test("HTML escaping covers text and attributes, and drops control characters")
    func htmlEscaping() {
        #expect(HTMLReport.escape("<a href=\"x\" onclick='y'>&</a>") == "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
        #expect(HTMLReport.escape("a\u{0}b\u{1B}c\nd") == "a\u{FFFD}b\u{FFFD}c\nd")
    }

    @Test("the language comes from LC_ALL, LC_MESSAGES, then LANG", arguments: [
        (["LANG": "ru_RU.UTF-8"], ReportLanguage.ru),
        (["LANG": "kk_KZ.UTF-8"], .kk),
        (["LC_ALL": "kk_KZ", "LANG": "ru_RU.UTF-8"], .kk),
        (["LC_MESSAGES": "ru_RU", "LANG": "en_GB.UTF-8"], .ru),
        (["LC_ALL": "", "LANG": "ru"], .ru),
        (["LANG": "C.UTF-8"], .en),
        ([:], .en),
    ])
    func language(environment: [String: String], expected: ReportLanguage) {
        #expect(ReportLanguage.fromEnvironment(environment) == expected)
    }
}

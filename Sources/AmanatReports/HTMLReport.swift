/// Report pages as self-contained HTML: no scripts, no external resources (a Content-Security-Policy that
/// forbids everything but the inline style says so to the browser too), every value escaped.
public enum HTMLReport {
    /// The policy every page carries: nothing may load, only the page's own inline style applies.
    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'"

    /// The file name of `recordID`'s page.
    public static func fileName(_ recordID: String) -> String { "\(recordID).html" }

    /// `page` as a complete HTML document.
    public static func render(_ page: ReportPage) -> String {
        let words = ReportWords(language: page.language)
        var body = "<p class=\"confidential\">\(escape(words.confidential))</p>\n"
        body += "<nav><a href=\"index.html\">\(escape(words.backToIndex))</a></nav>\n"
        body += content(page, words: words)
        if !page.scripts.isEmpty {
            body += "<footer><p class=\"note\">\(escape(words.fonts(page.scripts.neededPackages)))</p></footer>\n"
        }
        return document(title: "\(page.title) \(page.recordID)", language: page.language, body: body)
    }

    /// `page` as one article of ``allFileName``: its content without the link back, its id as the anchor the
    /// index links to.
    public static func article(_ page: ReportPage) -> String {
        "<article id=\"r\(escape(page.recordID))\" lang=\"\(page.language.rawValue)\">\n"
            + content(page, words: ReportWords(language: page.language)) + "</article>\n"
    }

    /// The file that prints every testimony, in storage order, each on new pages.
    public static let allFileName = "all.html"

    /// The start of ``allFileName``, before the first ``article(_:)``.
    public static func allHead(language: ReportLanguage) -> String {
        let words = ReportWords(language: language)
        return head(title: words.allTitle, language: language)
            + "<p class=\"confidential\">\(escape(words.confidential))</p>\n"
            + "<nav><a href=\"index.html\">\(escape(words.backToIndex))</a></nav>\n"
    }

    /// The end of ``allFileName``, after the last ``article(_:)``: the font note, then the end of the document.
    public static func allTail(language: ReportLanguage) -> String {
        let words = ReportWords(language: language)
        return "<footer><p class=\"note\">\(escape(words.fonts(ReportScripts.packages.map(\.package))))</p></footer>\n"
            + "</body>\n</html>\n"
    }

    /// The heading, the facts, the sections and the evidence of `page`.
    private static func content(_ page: ReportPage, words: ReportWords) -> String {
        var body = "<h1 dir=\"auto\">\(escape(page.title))</h1>\n"
        if page.status != .opened {
            body += "<p class=\"alert \(page.status == .tampered ? "tampered" : "unopened")\" role=\"alert\">"
                + "\(escape(words.status)): \(escape(words.statusText(page.status)))</p>\n"
        }
        body += "<dl class=\"facts\">\n"
        for fact in page.facts {
            body += "<dt>\(escape(fact.label))</dt><dd dir=\"auto\">\(escape(fact.value))</dd>\n"
        }
        body += "</dl>\n"
        for note in page.notes { body += "<p class=\"note\">\(escape(note))</p>\n" }
        for section in page.sections {
            body += "<section class=\"section-\(section.section.rawValue)\">\n<h2>\(escape(section.heading))</h2>\n"
            if let notice = section.notice {
                let kind = switch notice {
                case .tampered: "tampered"
                case .unopened: "unopened"
                case .skipped: "skipped"
                }
                body += "<div class=\"alert \(kind)\" role=\"alert\">"
                    + "<p><strong>\(escape(section.noticeText ?? ""))</strong></p>"
                if let detail = section.noticeDetail { body += "<p class=\"detail\">\(escape(detail))</p>" }
                body += "</div>\n"
            } else if section.fields.isEmpty {
                body += "<p class=\"empty\">\(escape(words.noFields))</p>\n"
            } else {
                body += "<dl>\n"
                for field in section.fields {
                    // A table (relatives) takes the whole width under its label.
                    let wide = if case .table = field.value { " class=\"wide\"" } else { "" }
                    body += "<dt title=\"\(escape(field.name))\"\(wide)>\(escape(field.label))</dt>"
                        + "<dd dir=\"auto\"\(wide)>\(value(field.value, words: words))</dd>\n"
                }
                body += "</dl>\n"
            }
            body += "</section>\n"
        }
        return body + evidence(page, words: words)
    }

    /// The addenda, in order, then the attachments, each linked to its extracted file.
    private static func evidence(_ page: ReportPage, words: ReportWords) -> String {
        var body = ""
        if !page.addenda.isEmpty {
            body += "<section class=\"addenda\">\n<h2>\(escape(words.addendaHeading))</h2>\n"
            for addendum in page.addenda {
                body += "<h3>\(escape(addendum.heading))</h3>\n"
                if let text = addendum.noticeText {
                    body += notice(addendum.notice, text: text, detail: addendum.noticeDetail)
                    continue
                }
                if let text = addendum.text { body += "<p class=\"text\" dir=\"auto\">\(escape(text))</p>\n" }
                if !addendum.fields.isEmpty {
                    body += "<dl>\n"
                    for field in addendum.fields {
                        body += "<dt title=\"\(escape(field.name))\">\(escape(field.label))</dt>"
                            + "<dd dir=\"auto\">\(value(field.value, words: words))</dd>\n"
                    }
                    body += "</dl>\n"
                }
            }
            body += "</section>\n"
        }
        if !page.attachments.isEmpty {
            body += "<section class=\"attachments\">\n<h2>\(escape(words.attachmentsHeading))</h2>\n<table>\n"
                + "<thead><tr><th>\(escape(words.number))</th><th>\(escape(words.fileName))</th>"
                + "<th>\(escape(words.mediaType))</th><th>\(escape(words.sizeLabel))</th><th>\(escape(words.sha256))</th>"
                + "</tr></thead>\n<tbody>\n"
            for attachment in page.attachments {
                if let text = attachment.noticeText {
                    body += "<tr class=\"\(attachment.notice == .tampered ? "tampered" : "unopened")\"><td>\(attachment.position)</td>"
                        + "<td colspan=\"4\"><strong>\(escape(text))</strong>"
                        + (attachment.noticeDetail.map { " <span class=\"detail\">\(escape($0))</span>" } ?? "")
                        + "</td></tr>\n"
                    continue
                }
                let name = "<span dir=\"auto\">\(escape(attachment.name))</span>"
                let linked = attachment.href.map { "<a href=\"\(escape($0))\">\(name)</a>" }
                    ?? "\(name) <span class=\"note\">(\(escape(words.notExtracted)))</span>"
                body += "<tr><td>\(attachment.position)</td><td>\(linked)</td><td>\(escape(attachment.mediaType))</td>"
                    + "<td>\(escape(attachment.size))</td><td><code>\(escape(attachment.sha256))</code></td></tr>\n"
            }
            body += "</tbody>\n</table>\n</section>\n"
        }
        return body
    }

    private static func notice(_ notice: ReportSection.Notice?, text: String, detail: String?) -> String {
        "<div class=\"alert \(notice == .tampered ? "tampered" : "unopened")\" "
            + "role=\"alert\"><p><strong>\(escape(text))</strong></p>"
            + (detail.map { "<p class=\"detail\">\(escape($0))</p>" } ?? "") + "</div>\n"
    }

    /// The file name of the index sorted by `column`; `index.html`, in storage order, for nil.
    public static func indexFileName(sortedBy column: ReportIndex.Column?) -> String {
        column.map { "index-\($0.rawValue).html" } ?? "index.html"
    }

    /// An index page: a count per status, then one row per record linking to its page, in storage order or sorted
    /// by `column`. Each column heading links to the page sorted by it (one page per ``ReportIndex/Column``,
    /// ``indexFileName(sortedBy:)``), so that the index sorts without a script.
    public static func render(_ index: ReportIndex, sortedBy column: ReportIndex.Column? = nil) -> String {
        let words = ReportWords(language: index.language)
        var body = "<p class=\"confidential\">\(escape(words.confidential))</p>\n"
        body += "<h1>\(escape(words.indexTitle))</h1>\n<dl class=\"facts\">\n"
        for (label, count) in words.summary(
            opened: index.count(.opened), unopened: index.count(.unopened), tampered: index.count(.tampered),
            withdrawn: index.count(.withdrawn)
        ) {
            body += "<dt>\(escape(label))</dt><dd>\(count)</dd>\n"
        }
        body += "<dt>\(escape(words.sortedBy))</dt><dd>"
            + escape(column.map { words.column($0) } ?? words.storageOrder) + "</dd>\n</dl>\n"
        body += "<nav><p><a href=\"\(allFileName)\">\(escape(words.printAll))</a></p>"
            + "<p class=\"note\">\(escape(words.sortHint))</p></nav>\n"
        func heading(_ text: String, _ sort: ReportIndex.Column?, _ file: String) -> String {
            guard sort == column else { return "<th><a href=\"\(file)\">\(escape(text))</a></th>" }
            return "<th aria-sort=\"ascending\"><a href=\"\(file)\">\(escape(text))</a> ▲</th>"
        }
        body += "<table class=\"index\">\n<thead><tr>" + heading(words.number, nil, indexFileName(sortedBy: nil))
            + "<th>\(escape(words.record))</th>"
        for shown in ReportIndex.Column.allCases {
            body += heading(words.column(shown), shown, indexFileName(sortedBy: shown))
        }
        body += "</tr></thead>\n<tbody>\n"
        for entry in column.map(index.sorted(by:)) ?? index.entries {
            let rowClass = switch entry.status {
            case .opened: ""
            case .unopened, .withdrawn: " class=\"unopened\""
            case .tampered: " class=\"tampered\""
            }
            body += "<tr\(rowClass)><td>\(entry.number)</td>"
                + "<td><a href=\"\(escape(fileName(entry.recordID)))\"><code>\(escape(entry.recordID))</code></a></td>"
            for shown in ReportIndex.Column.allCases {
                let text = shown == .status ? words.statusText(entry.status) : entry.value(shown)
                body += "<td dir=\"auto\">\(escape(text))</td>"
            }
            body += "</tr>\n"
        }
        body += "</tbody>\n</table>\n"
        body += "<footer><p class=\"note\">\(escape(words.fonts(ReportScripts.packages.map(\.package))))</p></footer>\n"
        return document(title: words.indexTitle, language: index.language, body: body)
    }

    private static func value(_ value: ReportValue, words: ReportWords) -> String {
        switch value {
        case .text(let text):
            return escape(text)
        case .list(let items):
            return "<ul>" + items.map { "<li dir=\"auto\">\(escape($0))</li>" }.joined() + "</ul>"
        case .table(let headers, let rows):
            var html = "<table><thead><tr><th>\(escape(words.number))</th>"
            html += headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            for (number, row) in rows.enumerated() {
                html += "<tr><td>\(number + 1)</td>"
                html += row.map { "<td dir=\"auto\">\(self.value($0, words: words))</td>" }.joined() + "</tr>"
            }
            return html + "</tbody></table>"
        }
    }

    private static func document(title: String, language: ReportLanguage, body: String) -> String {
        head(title: title, language: language) + body + "</body>\n</html>\n"
    }

    /// A document up to and including `<body>`: the policy, the title and the style.
    private static func head(title: String, language: ReportLanguage) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
        <meta name="referrer" content="no-referrer">
        <meta name="robots" content="noindex, nofollow">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>\(style)</style>
        </head>
        <body>

        """
    }

    private static let style = """

        body { font-family: system-ui, "Noto Sans", "Noto Naskh Arabic", "Noto Sans CJK SC", sans-serif; \
        max-width: 60rem; margin: 1rem auto; padding: 0 1rem; \
        line-height: 1.45; color: #111; background: #fff; }
        h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #999; margin-top: 2rem; }
        dl { display: grid; grid-template-columns: minmax(10rem, 16rem) 1fr; gap: .3rem 1rem; }
        dt { font-weight: bold; }
        dd { margin: 0; white-space: pre-wrap; unicode-bidi: plaintext; overflow-wrap: break-word; }
        .wide { grid-column: 1 / -1; } dd.wide { overflow-x: auto; } dd.wide table { width: 100%; }
        table { border-collapse: collapse; } th, td { border: 1px solid #999; padding: .2rem .4rem; \
        text-align: start; vertical-align: top; white-space: pre-wrap; overflow-wrap: break-word; }
        ul { margin: 0; padding-inline-start: 1.2rem; }
        .confidential { font-size: .9rem; border: 1px solid #a60; background: #fff4e0; padding: .3rem .6rem; }
        .alert { border: 2px solid; padding: .4rem .8rem; }
        .alert.tampered, tr.tampered { border-color: #b00; background: #fde8e8; color: #600; }
        .alert.unopened, tr.unopened { border-color: #a60; background: #fff4e0; }
        .alert.skipped { border-color: #777; background: #f2f2f2; }
        .detail { font-family: monospace; } .note, .empty { font-style: italic; }
        p.text { white-space: pre-wrap; unicode-bidi: plaintext; overflow-wrap: break-word; }
        table.index { font-size: .9rem; } th a { color: inherit; }
        footer { margin-top: 2rem; border-top: 1px solid #999; }
        @page { margin: 15mm; }
        @media print {
        nav { display: none; } body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
        article + article { break-before: page; } h1, h2, h3, dt { break-after: avoid; }
        tr, li, .alert { break-inside: avoid; } a { color: inherit; text-decoration: none; }
        .confidential, .alert, tr.tampered, tr.unopened { print-color-adjust: exact; \
        -webkit-print-color-adjust: exact; }
        }

        """

    /// `text` safe inside element content and quoted attribute values: `&`, `<`, `>`, `"` and `'` become
    /// character references, and control characters other than tab and line feed become U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": break
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

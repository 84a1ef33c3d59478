/// Report pages as CommonMark. Every value is escaped, so that nothing a witness or volunteer typed becomes
/// markup: Markdown punctuation gets a backslash, `<`, `>` and `&` become character references (no raw HTML
/// reaches a renderer), and a line that would start a heading, list, quote or code block is defused.
public enum MarkdownReport {
    /// The file name of `recordID`'s page.
    public static func fileName(_ recordID: String) -> String { "\(recordID).md" }

    /// `page` as a Markdown document.
    public static func render(_ page: ReportPage) -> String {
        let words = ReportWords(language: page.language)
        var out = "_\(escape(words.confidential))_\n\n"
        out += "[\(escape(words.backToIndex))](index.md)\n\n"
        out += "# \(escape(page.title))\n\n"
        if page.status != .opened {
            out += "> **\(escape(words.status)): \(escape(words.statusText(page.status)))**\n\n"
        }
        for fact in page.facts { out += "- **\(escape(fact.label)):** \(escape(fact.value))\n" }
        out += "\n"
        for note in page.notes { out += "_\(escape(note))_\n\n" }
        for section in page.sections {
            out += "## \(escape(section.heading))\n\n"
            if section.notice != nil {
                out += "> **\(escape(section.noticeText ?? ""))**\n"
                if let detail = section.noticeDetail { out += ">\n> \(escape(detail))\n" }
                out += "\n"
            } else if section.fields.isEmpty {
                out += "_\(escape(words.noFields))_\n\n"
            } else {
                for field in section.fields {
                    out += "### \(escape(field.label))\n\n" + value(field.value, words: words) + "\n"
                }
            }
        }
        out += evidence(page, words: words)
        if !page.scripts.isEmpty { out += "_\(escape(words.fonts(page.scripts.neededPackages)))_\n" }
        return out
    }

    /// The addenda, in order, then the attachments, each linked to its extracted file.
    private static func evidence(_ page: ReportPage, words: ReportWords) -> String {
        var out = ""
        if !page.addenda.isEmpty {
            out += "## \(escape(words.addendaHeading))\n\n"
            for addendum in page.addenda {
                out += "### \(escape(addendum.heading))\n\n"
                if let text = addendum.noticeText {
                    out += "> **\(escape(text))**\n"
                    if let detail = addendum.noticeDetail { out += ">\n> \(escape(detail))\n" }
                    out += "\n"
                    continue
                }
                if let text = addendum.text { out += value(.text(text), words: words) + "\n" }
                for field in addendum.fields {
                    out += "#### \(escape(field.label))\n\n" + value(field.value, words: words) + "\n"
                }
            }
        }
        if !page.attachments.isEmpty {
            out += "## \(escape(words.attachmentsHeading))\n\n| \(words.number) | \(escape(words.fileName)) "
                + "| \(escape(words.mediaType)) | \(escape(words.sizeLabel)) | \(escape(words.sha256)) "
                    + "|\n|---|---|---|---|---|\n"
            for attachment in page.attachments {
                if let text = attachment.noticeText {
                    out += "| \(attachment.position) | **\(cell(text))** \(cell(attachment.noticeDetail ?? "")) "
                        + "| | | |\n"
                    continue
                }
                let name = attachment.href.map { "[\(cell(attachment.name))](\($0))" }
                    ?? "\(cell(attachment.name)) (\(cell(words.notExtracted)))"
                out += "| \(attachment.position) | \(name) | \(cell(attachment.mediaType)) | \(cell(attachment.size)) "
                    + "| \(cell(attachment.sha256)) |\n"
            }
            out += "\n"
        }
        return out
    }

    /// The index: a count per status, then a table with one row per record linking to its page.
    public static func render(_ index: ReportIndex) -> String {
        let words = ReportWords(language: index.language)
        var out = "_\(escape(words.confidential))_\n\n# \(escape(words.indexTitle))\n\n"
        for (label, count) in words.summary(
            opened: index.count(.opened), unopened: index.count(.unopened), tampered: index.count(.tampered),
            withdrawn: index.count(.withdrawn)
        ) {
            out += "- \(escape(label)): \(count)\n"
        }
        let columns = ReportIndex.Column.allCases
        out += "\n| \(words.number) | \(escape(words.record)) | "
            + columns.map { escape(words.column($0)) }.joined(separator: " | ") + " |\n|"
            + String(repeating: "---|", count: columns.count + 2) + "\n"
        for entry in index.entries {
            out += "| \(entry.number) | [\(escape(entry.recordID))](\(fileName(entry.recordID))) | "
                + columns.map { cell($0 == .status ? words.statusText(entry.status) : entry.value($0)) }
                    .joined(separator: " | ") + " |\n"
        }
        out += "\n_\(escape(words.fonts(ReportScripts.packages.map(\.package))))_\n"
        return out
    }

    private static func value(_ value: ReportValue, words: ReportWords) -> String {
        switch value {
        case .text(let text):
            // Each line its own paragraph line; a trailing backslash is a hard line break.
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }
            while lines.count > 1, lines.last!.isEmpty { lines.removeLast() }
            return lines.joined(separator: "\\\n") + "\n"
        case .list(let items):
            return items.map { "- \(escape($0))\n" }.joined()
        case .table(let headers, let rows):
            var out = "| \(words.number) | " + headers.map(cell).joined(separator: " | ") + " |\n"
            out += "|" + String(repeating: "---|", count: headers.count + 1) + "\n"
            for (number, row) in rows.enumerated() {
                out += "| \(number + 1) | " + row.map { cell(flat($0)) }.joined(separator: " | ") + " |\n"
            }
            return out
        }
    }

    /// A value as one line of text, for a table cell.
    private static func flat(_ value: ReportValue) -> String {
        switch value {
        case .text(let text): text
        case .list(let items): items.joined(separator: "; ")
        case .table(_, let rows): rows.map { $0.map(flat).joined(separator: ", ") }.joined(separator: "; ")
        }
    }

    /// `text` escaped for a table cell: line breaks become `<br>` (the only markup added), `|` is escaped.
    static func cell(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }
            .joined(separator: "<br>")
    }

    /// Punctuation that is markup anywhere in a line (emphasis, code, links, tables, strikethrough, headings);
    /// each is written with a backslash before it.
    private static let inlineMarkup: Set<Unicode.Scalar> = ["\\", "`", "*", "_", "[", "]", "|", "~", "#"]

    /// What starts a block when it begins a line: a heading, list item, thematic break or setext underline.
    private static let blockMarkers: Set<Unicode.Scalar> = ["#", "+", "-", "="]

    /// One line of `text` escaped so that it renders as itself, keeping it readable as plain text: `<`, `>`
    /// and `&` as character references; inline markup after a backslash; a list, heading or setext marker at
    /// the start of the line after a backslash; leading spaces as references (so they cannot make a code
    /// block); `://` and `www.` broken so that no link is made; control characters as U+FFFD.
    public static func escape(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var escaped: Set<Int> = []
        let first = scalars.firstIndex { $0 != " " && $0 != "\t" } ?? scalars.count
        if first < scalars.count {
            if blockMarkers.contains(scalars[first]) { escaped.insert(first) }
            // An ordered list item: up to nine digits, then "." or ")".
            var end = first
            while end < scalars.count, end - first < 9, ("0"..."9").contains(scalars[end]) { end += 1 }
            if end > first, end < scalars.count, scalars[end] == "." || scalars[end] == ")",
                end + 1 == scalars.count || scalars[end + 1] == " " || scalars[end + 1] == "\t"
            {
                escaped.insert(end)
            }
        }
        for index in scalars.indices {
            if scalars[index] == ":", index + 2 < scalars.count, scalars[index + 1] == "/", scalars[index + 2] == "/" {
                escaped.insert(index)
            }
            if scalars[index] == ".", index >= 3,
                String(String.UnicodeScalarView(scalars[(index - 3)..<index])).lowercased() == "www"
            {
                escaped.insert(index)
            }
        }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case " " where index < first: out += "&#32;"
            case "\t": out += index < first ? "&#9;" : "\t"
            case "\n": out += " "
            case "\r": break
            default:
                if inlineMarkup.contains(scalar) || escaped.contains(index) {
                    out += "\\"
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

import AmanatForms
import AmanatJSON
import AmanatReports
import Foundation
import Testing

/// Addenda and attachments on report pages and in the JSON line (docs/FORMAT.md 8.1, 8.3 and 8.4).
@Suite("reports: addenda and attachments")
struct ReportEvidenceTests {
    /// A record with two addenda (the second did not open), an extracted attachment with a hostile name, one not
    /// extracted and one tampered.
    static func record() -> OpenedRecord {
        var record = OpenedRecord(recordID: "0123456789abcdef0123456789abcdef", formID: "testimony", formVersion: 1,
                                  received: "2026-12-07")
        record.fields[.testimony] = ["narrative": .string("first account")]
        record.addenda = [
            OpenedAddendum(addendumID: String(repeating: "a", count: 32), position: 1,
                           text: "<b>news</b> of my brother\nsecond line", fields: ["narrative": .string("correction")]),
            OpenedAddendum(addendumID: String(repeating: "b", count: 32), position: 2,
                           failure: .tampered("tampered: authentication failed")),
        ]
        var photo = OpenedAttachment(attachmentID: String(repeating: "c", count: 32), position: 1,
                                     name: "<img src=x>паспорт.jpg", mediaType: "image/jpeg", size: 1234,
                                     sha256: String(repeating: "d", count: 64))
        photo.path = "files/0123456789abcdef0123456789abcdef-1-_img_src_x_паспорт.jpg"
        let video = OpenedAttachment(attachmentID: String(repeating: "e", count: 32), position: 2, name: "interview.mp4",
                                     mediaType: "video/mp4", size: 99, sha256: String(repeating: "f", count: 64))
        let broken = OpenedAttachment(attachmentID: String(repeating: "1", count: 32), position: 3,
                                      failure: .tampered("tampered: chunk 2 of 4 does not authenticate"))
        record.attachments = [photo, video, broken]
        return record
    }

    @Test func theJSONLineListsAddendaAndAttachmentsInOrder() {
        let line = String(decoding: Self.record().json.canonicalBytes(), as: UTF8.self)
        #expect(line.hasPrefix(#"{"addenda":[{"addendum_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","fields":{"narrative":"correction"},"position":1,"text":"<b>news</b> of my brother\nsecond line"},{"addendum_id":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","error":"tampered: authentication failed","position":2}],"attachments":[{"attachment_id":"cccccccccccccccccccccccccccccccc","media_type":"image/jpeg","name":"<img src=x>паспорт.jpg","path":"#))
        #expect(line.contains(#"{"attachment_id":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee","media_type":"video/mp4","name":"interview.mp4","position":2,"sha256":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff","size":99}"#))
        #expect(line.contains(#"{"attachment_id":"11111111111111111111111111111111","error":"tampered: chunk 2 of 4 does not authenticate","position":3}"#))
        #expect(Self.record().status == .tampered, "an attachment that did not open marks the record")
        // A record without any has neither member, so that lines stay as they were.
        let plain = OpenedRecord(recordID: "0123456789abcdef0123456789abcdef", formID: "t", formVersion: 1, received: "x")
        #expect(!String(decoding: plain.json.canonicalBytes(), as: UTF8.self).contains("attachments"))
    }

    @Test func htmlShowsAddendaInOrderAndLinksExtractedFiles() throws {
        let library = FormLibrary(directory: "\(ReportTests.root)/config/forms")
        let builder = ReportBuilder(forms: library, language: .en, attachmentsLink: "../files dir")
        let html = HTMLReport.render(builder.page(for: Self.record()))
        let first = try #require(html.range(of: "<h3>Addendum 1</h3>"))
        let second = try #require(html.range(of: "<h3>Addendum 2</h3>"))
        #expect(first.upperBound < second.lowerBound)
        #expect(html.contains("&lt;b&gt;news&lt;/b&gt; of my brother\nsecond line"))
        #expect(html.contains("tampered: authentication failed"))
        // The link: relative, every byte outside the unreserved set percent-encoded; the name escaped.
        #expect(html.contains(
            "<a href=\"../files%20dir/0123456789abcdef0123456789abcdef-1-_img_src_x_%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82.jpg\">"
                + "<span dir=\"auto\">&lt;img src=x&gt;паспорт.jpg</span></a>"
        ))
        #expect(html.contains("interview.mp4</span> <span class=\"note\">(not extracted (--attachments-dir))</span>"))
        #expect(html.contains("tampered: chunk 2 of 4 does not authenticate"))
        #expect(!html.contains("<img"))
    }

    @Test func markdownShowsTheSame() {
        let library = FormLibrary(directory: "\(ReportTests.root)/config/forms")
        let builder = ReportBuilder(forms: library, language: .ru, attachmentsLink: "../files")
        let markdown = MarkdownReport.render(builder.page(for: Self.record()))
        #expect(markdown.contains("## Дополнения свидетеля\n\n### Дополнение 1\n\n&lt;b&gt;news&lt;/b&gt; of my brother\\\nsecond line\n"))
        #expect(markdown.contains("### Дополнение 2\n\n> **ПОДДЕЛКА: не прошло проверку; не показано.**\n"))
        #expect(markdown.contains(
            "| 1 | [&lt;img src=x&gt;паспорт.jpg](../files/0123456789abcdef0123456789abcdef-1-_img_src_x_%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82.jpg) | image/jpeg | 1234 байт |"
        ))
    }
}

import AmanatForms
import AmanatJSON

/// One attachment on a report page: its sealed name, type, size and hash, and a link to the extracted file.
public struct ReportAttachment: Sendable {
    public var position: Int64
    /// The sealed name, shown as text (never used as a path).
    public var name: String
    public var mediaType: String
    public var size: String
    public var sha256: String
    /// A relative link to the extracted file, percent-encoded; nil when it was not extracted.
    public var href: String?
    /// Set when the attachment did not open or was not written.
    public var notice: ReportSection.Notice?
    public var noticeText: String?
    public var noticeDetail: String?
}

/// One addendum on a report page: the witness's later text and fields, labelled as the testimony's.
public struct ReportAddendum: Sendable {
    public var position: Int64
    public var heading: String
    public var text: String?
    public var fields: [ReportField]
    public var notice: ReportSection.Notice?
    public var noticeText: String?
    public var noticeDetail: String?
}

extension ReportBuilder {
    /// The attachments of `record`, in position order.
    func attachments(of record: OpenedRecord) -> [ReportAttachment] {
        record.attachments.map { attachment in
            var shown = ReportAttachment(
                position: attachment.position, name: attachment.name ?? "", mediaType: attachment.mediaType ?? "",
                size: attachment.size.map { words.size($0) } ?? "", sha256: attachment.sha256 ?? ""
            )
            if let failure = attachment.failure {
                (shown.notice, shown.noticeText) = notice(failure)
                shown.noticeDetail = failure.detail
            } else if let path = attachment.path, let attachmentsLink {
                let file = path.split(separator: "/").last.map(String.init) ?? path
                shown.href = Self.percentEncoded(attachmentsLink + "/" + file)
            }
            return shown
        }
    }

    /// The addenda of `record`, in position order, their fields labelled from the form.
    func addenda(of record: OpenedRecord, form: Form?) -> [ReportAddendum] {
        record.addenda.map { addendum in
            var shown = ReportAddendum(
                position: addendum.position, heading: words.addendum(addendum.position), text: addendum.text, fields: []
            )
            if let failure = addendum.failure {
                (shown.notice, shown.noticeText) = notice(failure)
                shown.noticeDetail = failure.detail
            } else {
                shown.fields = fields(addendum.fields ?? [:], form: form)
            }
            return shown
        }
    }

    private func notice(_ failure: OpenedRecord.Failure) -> (ReportSection.Notice, String) {
        switch failure {
        case .tampered: (.tampered, words.evidenceTampered)
        case .noKey: (.unopened, words.evidenceUnopened)
        }
    }

    /// `path` with every byte but unreserved ones (RFC 3986) and `/` percent-encoded: a link that no file name
    /// can turn into markup or another scheme.
    static func percentEncoded(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 15)])
            }
        }
        return out
    }
}

/// Scripts in a report that a bare offline machine may show as empty boxes: Chinese characters (names in Chinese
/// documents) and the Arabic script (Uyghur). Debian's default fonts cover Latin and Cyrillic; these need the
/// packages ``packages`` names, installed on the offline machine from their `.deb` files.
public struct ReportScripts: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Han characters (Chinese).
    public static let han = ReportScripts(rawValue: 1)
    /// The Arabic script (Uyghur).
    public static let arabic = ReportScripts(rawValue: 2)

    /// The Debian package with fonts for each script: Noto Sans CJK for Chinese; Noto Naskh Arabic and Noto Sans
    /// Arabic, which cover the Uyghur letters, are in fonts-noto-core (fonts-noto-extra only adds weights).
    public static let packages: [(script: ReportScripts, package: String)] = [
        (.han, "fonts-noto-cjk"), (.arabic, "fonts-noto-core"),
    ]

    /// The scripts of `text`.
    public init(scanning text: String) {
        self = []
        for scalar in text.unicodeScalars where scalar.value >= 0x600 {
            switch scalar.value {
            case 0x0600...0x06FF, 0x0750...0x077F, 0x08A0...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF:
                insert(.arabic)
            case 0x2E80...0x2FDF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F:
                insert(.han)
            default:
                continue
            }
            if self == [.han, .arabic] { return }
        }
    }

    /// The scripts of every text in `value`.
    init(scanning value: ReportValue) {
        switch value {
        case .text(let text): self.init(scanning: text)
        case .list(let items): self = items.reduce(into: []) { $0.formUnion(ReportScripts(scanning: $1)) }
        case .table(let headers, let rows):
            self = (headers.map(ReportValue.text) + Array(rows.joined())).reduce(into: []) {
                $0.formUnion(ReportScripts(scanning: $1))
            }
        }
    }

    /// The Debian packages these scripts need, in the order of ``packages``.
    public var neededPackages: [String] {
        Self.packages.filter { contains($0.script) }.map(\.package)
    }
}

/// The file name an extracted attachment gets (docs/FORMAT.md 8.4): nothing from the archive is trusted as a path.
///
/// The sealed name is the witness's or volunteer's, but the archive may be hostile and a name is only text: it
/// could hold `..`, `/`, a NUL, a line break, a right-to-left override (U+202E, which shows `gpj.exe` as `exe.jpg`),
/// a leading dot (a hidden file, `.bashrc`) or a thousand bytes. So the name is rebuilt from what is harmless,
/// letters, digits, `.`, `-` and `_`, and prefixed with the record id and the attachment's position, which also
/// keeps two attachments whose names clean to the same text apart. The file is then created with `O_EXCL` and
/// `O_NOFOLLOW` in a directory this run made, so that even a collision overwrites nothing.
enum SafeName {
    /// At most this many bytes (UTF-8) are kept of the sealed name.
    static let maximumBytes = 100
    /// An extension up to this long (with its dot) is kept when the name is cut.
    static let maximumExtensionBytes = 16

    /// `RECORDID-POSITION-NAME`, where NAME is ``clean(_:)`` of `name`.
    static func fileName(recordID: String, position: Int64, name: String) -> String {
        "\(recordID)-\(position)-\(clean(name))"
    }

    /// `name` with every character but a letter, a decimal digit, `.`, `-` and `_` replaced by `_`, a leading `.`
    /// replaced by `_`, cut to at most ``maximumBytes`` bytes of UTF-8 at a character boundary (keeping a short
    /// extension), and `file` if nothing is left.
    ///
    /// Letters and digits are the Unicode categories L* and Nd, so that a Cyrillic or Arabic name stays readable;
    /// no character of those categories is a separator, a control, a format character (bidirectional overrides
    /// are Cf) or a combining mark.
    static func clean(_ name: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            kept.append(isKept(scalar) ? scalar : "_")
        }
        if kept.first == "." {
            kept.replaceSubrange(kept.startIndex...kept.startIndex, with: ["_"])
        }
        var result = String(kept)
        if result.utf8.count > maximumBytes { result = cut(result) }
        return result.isEmpty ? "file" : result
    }

    private static func isKept(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "." || scalar == "-" || scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
            return true
        default:
            return false
        }
    }

    /// `name` (only kept scalars) cut to ``maximumBytes`` bytes: the start, then the extension if it is short.
    private static func cut(_ name: String) -> String {
        let scalars = Array(name.unicodeScalars)
        var suffix: [Unicode.Scalar] = []
        if let dot = scalars.lastIndex(of: "."), dot > 0 {
            let candidate = Array(scalars[dot...])
            if String(String.UnicodeScalarView(candidate)).utf8.count <= maximumExtensionBytes { suffix = candidate }
        }
        let budget = maximumBytes - String(String.UnicodeScalarView(suffix)).utf8.count
        var head = String.UnicodeScalarView()
        var bytes = 0
        for scalar in scalars {
            let length = String(scalar).utf8.count
            guard bytes + length <= budget else { break }
            head.append(scalar)
            bytes += length
        }
        head.append(contentsOf: suffix)
        return String(head)
    }
}

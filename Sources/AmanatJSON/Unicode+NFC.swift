// NFC comes from the standard library's `_nfcCodeUnits`, the normaliser behind `String` equality and hashing,
// rather than from Foundation's `precomposedStringWithCanonicalMapping`: on this Linux toolchain the latter does
// not compose a precomposed Hangul LV syllable with a following trailing jamo (U+AC00 U+11A8 stays as it is
// instead of becoming U+AC01). Using the standard library also keeps `nfc` consistent with `==` on `String`,
// which is what `[String: JSONValue]` keys are deduplicated by.
//
// Both normalisers misplace the parts of the four characters whose canonical decompositions consist of
// non-starters (U+0344, U+0F73, U+0F75, U+0F81) when a mark of higher combining class precedes them, so those are
// decomposed here first. With that, the result equals Python's `unicodedata.normalize("NFC", ...)` on every
// single code point and on a large random sample of combining sequences (checked when this was written).
//
// The standard library's Unicode version is newer than some Pythons': code points assigned after a given Python's
// `unicodedata.unidata_version` may compose here and not there.

extension String {
    /// This string in Unicode Normalization Form C (canonical decomposition, then canonical composition).
    ///
    /// Canonical JSON emits every string in this form, so visually identical testimony text typed on different
    /// keyboards (precomposed letters or combining marks) seals to the same bytes.
    public var nfc: String {
        if Self.isQuickCheckNFC(utf8) { return self }
        return normalizingToNFC()
    }

    /// This string in NFC, and whether it was already NFC, byte for byte. When it was, the result is this string
    /// and `nfc` of the result is the result itself, so code that keeps it need not normalise it again.
    package var nfcNotingChange: (nfc: String, wasNFC: Bool) {
        if Self.isQuickCheckNFC(utf8) { return (self, true) }
        var normalized = normalizingToNFC()
        var original = self
        let unchanged = normalized.withUTF8 { after in original.withUTF8 { before in Self.equal(after, before) } }
        return (normalized, unchanged)
    }

    /// Whether `a` and `b` hold the same bytes, compared eight at a time.
    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var index = 0
        while index + 8 <= a.count {
            guard ByteWords.word(a, at: index) == ByteWords.word(b, at: index) else { return false }
            index += 8
        }
        while index < a.count {
            guard a[index] == b[index] else { return false }
            index += 1
        }
        return true
    }

    /// Whether this string is already in Unicode Normalization Form C, scalar for scalar.
    public var isNFC: Bool {
        if Self.isQuickCheckNFC(utf8) { return true }
        return nfc.utf8.elementsEqual(utf8)
    }

    /// Whether this string contains one of the characters whose NFC the standard library can get wrong, which is
    /// also when two keys that `==` tells apart can still have the same NFC.
    var hasNonStarterDecomposition: Bool {
        !Self.isQuickCheckNFC(utf8) && Self.hasNonStarterDecomposition(utf8)
    }

    /// Whether `utf8` contains U+0344 (CD 84), U+0F73 (E0 BD B3), U+0F75 (E0 BD B5) or U+0F81 (E0 BE 81): the
    /// scalars that `nonStarterDecomposition(of:)` knows. Searching the bytes is exact because CD and E0 only ever
    /// begin a scalar in valid UTF-8, and it spares decoding every scalar of text that has none of them.
    private static func hasNonStarterDecomposition(_ utf8: String.UTF8View) -> Bool {
        if let found = utf8.withContiguousStorageIfAvailable(hasNonStarterDecomposition) { return found }
        return Array(utf8).withUnsafeBufferPointer(hasNonStarterDecomposition)
    }

    private static func hasNonStarterDecomposition(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        var index = 0
        while index < count {
            let byte = bytes[index]
            if byte == 0xCD, index + 1 < count, bytes[index + 1] == 0x84 { return true }
            if byte == 0xE0, index + 2 < count {
                let second = bytes[index + 1]
                let third = bytes[index + 2]
                if second == 0xBD && (third == 0xB3 || third == 0xB5) || second == 0xBE && third == 0x81 { return true }
            }
            index += 1
        }
        return false
    }

    /// The canonical decomposition of `scalar` when it consists of two non-starters.
    private static func nonStarterDecomposition(of scalar: Unicode.Scalar) -> (Unicode.Scalar, Unicode.Scalar)? {
        switch scalar.value {
        case 0x0344: ("\u{0308}", "\u{0301}")
        case 0x0F73: ("\u{0F71}", "\u{0F72}")
        case 0x0F75: ("\u{0F71}", "\u{0F74}")
        case 0x0F81: ("\u{0F71}", "\u{0F80}")
        default: nil
        }
    }

    /// NFC without the quick check that `nfc` makes first.
    private func normalizingToNFC() -> String {
        let source = Self.hasNonStarterDecomposition(utf8) ? decomposingNonStarterSequences() : self
        return String(decoding: source._nfcCodeUnits, as: UTF8.self)
    }

    private func decomposingNonStarterSequences() -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if let (first, second) = Self.nonStarterDecomposition(of: scalar) {
                scalars.append(first)
                scalars.append(second)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}

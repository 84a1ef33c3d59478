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
        if Self.isBelowFirstNonNFCScalar(utf8) { return self }
        return normalizingToNFC()
    }

    /// This string in NFC, and whether it was already NFC, byte for byte. When it was, the result is this string
    /// and `nfc` of the result is the result itself, so code that keeps it need not normalise it again.
    var nfcNotingChange: (nfc: String, wasNFC: Bool) {
        if Self.isBelowFirstNonNFCScalar(utf8) { return (self, true) }
        var normalized = normalizingToNFC()
        var original = self
        let unchanged = normalized.withUTF8 { after in original.withUTF8 { before in after.elementsEqual(before) } }
        return (normalized, unchanged)
    }

    /// Whether this string is already in Unicode Normalization Form C, scalar for scalar.
    public var isNFC: Bool {
        if Self.isBelowFirstNonNFCScalar(utf8) { return true }
        return nfc.utf8.elementsEqual(utf8)
    }

    /// Whether this string contains one of the characters whose NFC the standard library can get wrong, which is
    /// also when two keys that `==` tells apart can still have the same NFC.
    var hasNonStarterDecomposition: Bool {
        !Self.isBelowFirstNonNFCScalar(utf8) && Self.hasNonStarterDecomposition(unicodeScalars)
    }

    /// Whether every scalar is below U+0300, the first code point whose NFC quick-check property is not "yes";
    /// such strings are NFC as they stand, which spares ASCII and Latin-1 text the normaliser.
    /// U+0300 is encoded as CC 80, and every scalar below it uses only bytes below 0xCC.
    private static func isBelowFirstNonNFCScalar(_ utf8: String.UTF8View) -> Bool {
        utf8.withContiguousStorageIfAvailable { bytes in bytes.allSatisfy { $0 < 0xCC } }
            ?? utf8.allSatisfy { $0 < 0xCC }
    }

    private static func hasNonStarterDecomposition(_ scalars: String.UnicodeScalarView) -> Bool {
        scalars.contains { nonStarterDecomposition(of: $0) != nil }
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
        let source = Self.hasNonStarterDecomposition(unicodeScalars) ? decomposingNonStarterSequences() : self
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

// A quick check for NFC that spares the normaliser the scripts amanat's witnesses write in.
//
// A string is in NFC when every scalar has canonical combining class 0 and NFC_Quick_Check=Yes (UAX #15,
// section 9): such a scalar is never reordered, never decomposed and never composed with the scalar before it.
// Checking that scalar by scalar against the ranges below is a single pass over the UTF-8 with no allocation;
// anything outside them (combining marks, conjoining Hangul jamo, compatibility ideographs, scalars beyond the
// Basic Multilingual Plane) goes to the full normaliser as before.
//
// The ranges were chosen from the blocks of Latin, Greek, Cyrillic (Kazakh, Russian), Arabic (Uyghur), CJK,
// kana, Hangul syllables and common punctuation, and checked against Python's `unicodedata` (Unicode 14.0): every
// scalar in them is assigned, has combining class 0, is its own NFC, and is not the second part of any canonical
// decomposition (the Hangul jamo that compose algorithmically are outside them). Unicode's normalisation
// stability policy keeps that true for assigned characters in later versions; unassigned code points are left
// out, since one could later become a combining mark. A unit test checks the same against the standard library.

extension String {
    /// Whether every scalar of `utf8` is one that NFC leaves as it is whatever surrounds it: then the string is
    /// in NFC. False means only "not known": the full normaliser decides.
    static func isQuickCheckNFC(_ utf8: String.UTF8View) -> Bool {
        if let answer = utf8.withContiguousStorageIfAvailable({ isQuickCheckNFC(bytes: $0) }) { return answer }
        return Array(utf8).withUnsafeBufferPointer { isQuickCheckNFC(bytes: $0) }
    }

    /// Scalars, beyond U+0000…U+02FF, that are NFC in any context, as inclusive ranges in ascending order.
    static let quickCheckNFCRanges: [ClosedRange<UInt32>] = [
        // Greek and Coptic, without U+0374, U+037E and U+0387 (singletons) and unassigned code points
        0x0370...0x0373, 0x0375...0x0377, 0x037A...0x037D, 0x037F...0x037F, 0x0384...0x0386, 0x0388...0x038A,
        0x038C...0x038C, 0x038E...0x03A1, 0x03A3...0x03FF,
        // Cyrillic and its supplement, without the combining and enclosing marks U+0483…U+0489
        0x0400...0x0482, 0x048A...0x052F,
        // Arabic: letters, digits and punctuation, without the combining marks
        0x0600...0x060F, 0x061B...0x064A, 0x0660...0x066F, 0x0671...0x06D5, 0x06EE...0x06FF,
        0x1E00...0x1EFF,  // Latin Extended Additional
        0x2002...0x2064, 0x2066...0x206F,  // General Punctuation, without the two spaces that are singletons
        0x20A0...0x20C0,  // currency signs (assigned ones)
        0x3000...0x3029, 0x3030...0x303F,  // CJK symbols and punctuation, without the tone marks
        0x3041...0x3096, 0x309B...0x30FF,  // kana, without the combining voicing marks
        0x4E00...0x9FFF,  // CJK Unified Ideographs
        0xAC00...0xD7A3,  // Hangul syllables
        // half-width and full-width forms (assigned ones)
        0xFF01...0xFFBE, 0xFFC2...0xFFC7, 0xFFCA...0xFFCF, 0xFFD2...0xFFD7, 0xFFDA...0xFFDC, 0xFFE0...0xFFE6,
        0xFFE8...0xFFEE,
    ]

    /// The same for `bytes`, which must be valid UTF-8.
    static func isQuickCheckNFC(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // The bytes are valid UTF-8, so every lead byte is followed by its continuation bytes.
        let count = bytes.count
        var index = 0
        while index < count {
            // Eight ASCII bytes at a step.
            if index + 8 <= count, ByteWords.isASCII(ByteWords.word(bytes, at: index)) {
                index += 8
                continue
            }
            let lead = bytes[index]
            let scalar: UInt32
            switch lead {
            case ..<0x80:
                index += 1
                continue
            case ..<0xE0:
                scalar = UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                index += 2
            case ..<0xF0:
                scalar = UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
                index += 3
            default:
                return false
            }
            if scalar < 0x0300 { continue }
            guard isQuickCheckNFC(scalar) else { return false }
        }
        return true
    }

    /// Whether `scalar` is in ``quickCheckNFCRanges`` (a binary search).
    static func isQuickCheckNFC(_ scalar: UInt32) -> Bool {
        var low = 0
        var high = quickCheckNFCRanges.count
        while low < high {
            let middle = (low + high) / 2
            let range = quickCheckNFCRanges[middle]
            if scalar < range.lowerBound {
                high = middle
            } else if scalar > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }
}

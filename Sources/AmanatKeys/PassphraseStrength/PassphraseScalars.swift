import AmanatCrypto

/// A passphrase decoded into Unicode scalars in protected memory, with the transformed views the estimator matches
/// words against: lowercase, two readings of l33t, and the same keys read on the other keyboard layout.
///
/// Every view lives in one `SecretBytes` region (sodium_malloc), wiped when the estimate is done. Nothing here
/// makes a `String`, an `Array` or a `Character` of the passphrase: matchers read scalars in place and keep only
/// positions and numbers.
final class PassphraseScalars {
    /// The views, each `count` scalars long.
    enum View: Int, CaseIterable {
        /// The scalars as typed (invalid UTF-8 bytes become U+DC80…U+DCFF, one per byte, as Python's
        /// surrogateescape does).
        case original
        /// Lowercase ASCII, Cyrillic and Kazakh letters, with ё read as е.
        case lower
        /// Lowercase, l33t read back to letters with 1, | and 7 as i, i and t.
        case l33tI
        /// Lowercase, l33t read back to letters with 1, | and 7 as l.
        case l33tL
        /// Lowercase Cyrillic letters replaced by the Latin key they share on a ЙЦУКЕН or Kazakh keyboard.
        case latinOfCyrillic
        /// Lowercase Latin keys replaced by the Russian letter on the same key.
        case russianOfLatin
        /// Lowercase Latin keys (digits included) replaced by the Kazakh letter on the same key.
        case kazakhOfLatin
    }

    /// The number of scalars.
    private(set) var count = 0
    /// Room for each view: the passphrase's byte count, since a byte decodes to at most one scalar.
    private let capacity: Int
    private let storage: SecretBytes

    /// Decodes `passphrase` and fills every view.
    init(_ passphrase: SecretBytes) throws(CryptoError) {
        capacity = passphrase.count
        storage = try SecretBytes(count: max(capacity, 1) * View.allCases.count * MemoryLayout<UInt32>.stride)
        let decoded = passphrase.withUnsafeBytes { bytes in
            storage.withUnsafeMutableBytes { raw in
                let scalars = raw.bindMemory(to: UInt32.self)
                return Self.decode(bytes, into: UnsafeMutableBufferPointer(rebasing: scalars[0..<self.capacity]))
            }
        }
        count = decoded
        storage.withUnsafeMutableBytes { raw in
            let all = raw.bindMemory(to: UInt32.self)
            let stride = self.capacity
            for index in 0..<decoded {
                let typed = all[index]
                let lower = ScalarCase.lowercased(typed)
                all[View.lower.rawValue * stride + index] = lower
                all[View.l33tI.rawValue * stride + index] = L33t.letter(for: lower, ambiguousAs: .i)
                all[View.l33tL.rawValue * stride + index] = L33t.letter(for: lower, ambiguousAs: .l)
                all[View.latinOfCyrillic.rawValue * stride + index] = KeyboardLayout.latinOfCyrillic[lower] ?? lower
                all[View.russianOfLatin.rawValue * stride + index] = KeyboardLayout.russianOfLatin[lower] ?? lower
                all[View.kazakhOfLatin.rawValue * stride + index] = KeyboardLayout.kazakhOfLatin[lower] ?? lower
            }
        }
    }

    /// Runs `body` with read access to the views; the pointer must not escape.
    func withViews<R>(_ body: (Views) -> R) -> R {
        storage.withUnsafeBytes { raw in
            body(Views(base: raw.bindMemory(to: UInt32.self), stride: capacity, count: count))
        }
    }

    /// Wipes every view.
    func wipe() {
        storage.wipe()
    }

    deinit {
        storage.wipe()
    }

    /// Read access to the views, by view and position.
    struct Views {
        let base: UnsafeBufferPointer<UInt32>
        let stride: Int
        let count: Int

        subscript(_ view: View, _ index: Int) -> UInt32 {
            base[view.rawValue * stride + index]
        }
    }

    /// UTF-8 to scalars; an invalid byte becomes U+DC00 plus the byte. Returns the number of scalars written.
    private static func decode(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt32>) -> Int {
        var index = 0
        var written = 0
        while index < bytes.count {
            let lead = bytes[index]
            var length = 0
            var scalar: UInt32 = 0
            var minimum: UInt32 = 0
            switch lead {
            case 0x00...0x7F: length = 1; scalar = UInt32(lead)
            case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F); minimum = 0x80
            case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F); minimum = 0x800
            case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07); minimum = 0x10000
            default: length = 0
            }
            var valid = length > 0 && index + length <= bytes.count
            if valid && length > 1 {
                for offset in 1..<length {
                    let next = bytes[index + offset]
                    guard next & 0xC0 == 0x80 else { valid = false; break }
                    scalar = scalar << 6 | UInt32(next & 0x3F)
                }
                valid = valid && scalar >= minimum && scalar <= 0x10FFFF && !(0xD800...0xDFFF).contains(scalar)
            }
            if valid {
                out[written] = scalar
                index += length
            } else {
                out[written] = 0xDC00 | UInt32(lead)
                index += 1
            }
            written += 1
        }
        return written
    }
}

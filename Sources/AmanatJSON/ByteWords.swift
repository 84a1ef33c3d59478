/// Tests on eight bytes at once, for the byte loops over JSON strings and testimony text (the parser, the canonical
/// encoder, the NFC quick check, the character check of text fields): they let a loop step over a whole word when
/// none of its bytes needs a look, and fall back to the bytes otherwise. Each test is exact for the word as a
/// whole; none says which byte it found.
package enum ByteWords {
    // Inlinable: the byte loops of AmanatForms call these per word, across the module boundary.
    @usableFromInline package static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline package static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `index`, which must be at most `bytes.count - 8`.
    @inlinable package static func word(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt64 {
        precondition(index >= 0 && index + 8 <= bytes.count)
        return UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
    }

    /// Whether all bytes of `word` are ASCII.
    @inlinable package static func isASCII(_ word: UInt64) -> Bool {
        word & highBits == 0
    }

    /// Whether all bytes of `word` are in 0x20…0x7E, printable ASCII. Exact: with no high bit set to begin with,
    /// adding 1 to each byte sets one only for 0x7F, and subtracting 0x20 from each sets one only when a byte is
    /// below 0x20 (the lowest such byte borrows first, and no byte borrows without one).
    @inlinable package static func isPrintableASCII(_ word: UInt64) -> Bool {
        (word | (word &- ones &* 0x20) | (word &+ ones)) & highBits == 0
    }

    /// Whether a byte of `word` is `"`, `\` or below 0x20: the bytes a JSON string cannot hold as they are. Exact:
    /// `(x - 0x01…) & ~x & 0x80…` is non-zero if and only if a byte of x is zero, and `(x - 0x20…) & ~x & 0x80…` if
    /// and only if a byte is below 0x20 (the lowest such byte borrows first, and no byte borrows without one).
    @inlinable package static func hasQuoteBackslashOrControl(_ word: UInt64) -> Bool {
        let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let special = ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
            | ((word &- ones &* 0x20) & ~word)
        return special & highBits != 0
    }

    /// The index of the first byte at or after `start` that a JSON string cannot hold as it is (`"`, `\` or below
    /// 0x20), or `bytes.count` when there is none; words without one are passed over whole.
    @inlinable package static func firstEscaped(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            if index + 8 <= bytes.count, !hasQuoteBackslashOrControl(word(bytes, at: index)) {
                index += 8
                continue
            }
            let byte = bytes[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return index }
            index += 1
        }
        return bytes.count
    }
}

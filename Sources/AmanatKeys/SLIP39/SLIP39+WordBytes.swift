import AmanatCrypto

extension SLIP39 {
    /// Each word of ``wordlist`` as UTF-8 (lowercase ASCII), in the list's order, which is byte order.
    static let wordlistUTF8: [[UInt8]] = wordlist.map { Array($0.utf8) }
    /// The longest word of the list, in bytes.
    static let longestWordLength = 8

    /// The position in ``wordlist`` of `word`, compared without regard to ASCII case, or nil if it is not there.
    ///
    /// A binary search over ``wordlistUTF8`` that reads `word` in place: no copy of it is made.
    static func indexOfWord(_ word: UnsafeRawBufferPointer) -> Int? {
        guard (1...longestWordLength).contains(word.count) else { return nil }
        var low = 0
        var high = wordlistUTF8.count
        while low < high {
            let middle = (low + high) / 2
            let order = wordlistUTF8[middle].withUnsafeBytes { compareFoldingCase(word, $0) }
            if order < 0 {
                high = middle
            } else if order > 0 {
                low = middle + 1
            } else {
                return middle
            }
        }
        return nil
    }

    /// Negative, zero or positive as `text`, with ASCII capitals read as small letters, sorts before, with or
    /// after `word`, byte by byte.
    private static func compareFoldingCase(_ text: UnsafeRawBufferPointer, _ word: UnsafeRawBufferPointer) -> Int {
        for index in 0..<Swift.min(text.count, word.count) {
            var byte = text[index]
            if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) { byte |= 0x20 }
            if byte != word[index] { return byte < word[index] ? -1 : 1 }
        }
        return text.count - word.count
    }

    /// True for the ASCII whitespace that separates words: space, tab, line feed, vertical tab, form feed and
    /// carriage return.
    static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (0x09...0x0D).contains(byte)
    }

    /// Calls `body` with the 0-based position and the bytes of each word of `text`, in place: words are the
    /// runs of bytes between ASCII whitespace.
    static func forEachWord(in text: UnsafeRawBufferPointer, _ body: (Int, UnsafeRawBufferPointer) -> Void) {
        var position = 0
        var start: Int?
        for index in 0...text.count {
            if index < text.count && !isSeparator(text[index]) {
                if start == nil { start = index }
            } else if let wordStart = start {
                body(position, UnsafeRawBufferPointer(rebasing: text[wordStart..<index]))
                position += 1
                start = nil
            }
        }
    }

    /// `text`'s UTF-8 in protected memory. The `String` itself cannot be wiped; the temporary array is.
    static func protectedUTF8(of text: String) throws(CryptoError) -> SecretBytes {
        var bytes = Array(text.utf8)
        defer { wipe(&bytes) }
        let protected = try SecretBytes(count: bytes.count)
        protected.withUnsafeMutableBytes { out in bytes.withUnsafeBytes { out.copyMemory(from: $0) } }
        return protected
    }
}


/// Canonical JSON objects taken apart and merged without parsing them into values.
///
/// The key holder writes each opened record as one object whose `fields` merge the clear fields and the sealed
/// sections. Each of those is canonical JSON already (amanatd sealed it so, and the ledger covers it), so its
/// members can be copied as they are instead of being parsed into a `JSONValue` and encoded again.
///
/// Exactness: ``members(of:)`` accepts only bytes that ``CanonicalJSONEncoder`` writes for the value
/// ``JSONParser`` reads from them, so copying them gives the bytes that parsing and encoding would. It refuses
/// anything else, even valid JSON, and the caller then parses and encodes. Where that is simpler it refuses more
/// than it must: a member name with an escape, a string the NFC quick check cannot clear, nesting deeper than
/// ``maxDepth``.
public enum CanonicalSplice {
    /// Deeper objects and arrays are refused (the key holder's parser takes 64; testimonies nest 3 deep).
    public static let maxDepth = 16

    /// One member of a canonical object.
    public struct Member: Sendable, Equatable {
        /// The member name's bytes between its quotes (it has no escapes).
        public var name: Range<Int>
        /// The whole member as written, `"name":value`.
        public var whole: Range<Int>
    }

    /// The members of `bytes`, in order, when `bytes` is exactly one object in canonical form; nil otherwise.
    public static func members(of bytes: UnsafeBufferPointer<UInt8>) -> [Member]? {
        var scanner = Scanner(bytes: bytes)
        var members: [Member] = []
        guard !bytes.isEmpty, bytes[0] == UInt8(ascii: "{"), scanner.object(depth: 1, members: &members),
            scanner.index == bytes.count
        else { return nil }
        return members
    }

    /// Appends one object with the members of all `objects`, in canonical order; a name in several of them takes
    /// its value from the last. Returns false, having appended nothing, when one of them is not canonical.
    public static func appendMerged(_ objects: [UnsafeBufferPointer<UInt8>], to output: inout [UInt8]) -> Bool {
        var all: [(object: Int, member: Member)] = []
        for (index, object) in objects.enumerated() {
            guard let members = members(of: object) else { return false }
            all += members.map { (index, $0) }
        }
        func name(_ entry: (object: Int, member: Member)) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: objects[entry.object][entry.member.name])
        }
        // Each object's members are sorted already; the merge sorts them together, by name and then by object.
        all.sort { lhs, rhs in
            let (left, right) = (name(lhs), name(rhs))
            if left.elementsEqual(right) { return lhs.object < rhs.object }
            return left.lexicographicallyPrecedes(right)
        }
        output.append(UInt8(ascii: "{"))
        var first = true
        for (position, entry) in all.enumerated() {
            // A later object has the same name: its value is the one written.
            if position + 1 < all.count, name(all[position + 1]).elementsEqual(name(entry)) { continue }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            output.append(contentsOf: UnsafeBufferPointer(rebasing: objects[entry.object][entry.member.whole]))
        }
        output.append(UInt8(ascii: "}"))
        return true
    }
}

/// Checks canonical form as it reads; every method leaves `index` after what it read, and returns false (or nil)
/// at the first byte that the canonical encoder would not have written there.
private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func value(depth: Int) -> Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            var ignored: [CanonicalSplice.Member] = []
            return object(depth: depth + 1, members: &ignored, keeping: false)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string(allowingEscapes: true) != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    /// An object at `index`, with its members in strictly ascending order of their names' bytes; they are
    /// appended to `members` when `keeping`.
    mutating func object(depth: Int, members: inout [CanonicalSplice.Member], keeping: Bool = true) -> Bool {
        guard depth <= CanonicalSplice.maxDepth else { return false }
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        }
        var previous: Range<Int>?
        while true {
            let start = index
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let name = string(allowingEscapes: false)
            else { return false }
            if let previous {
                let (before, this) = (UnsafeBufferPointer(rebasing: bytes[previous]), UnsafeBufferPointer(rebasing: bytes[name]))
                guard before.lexicographicallyPrecedes(this) else { return false }
            }
            previous = name
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            guard value(depth: depth) else { return false }
            if keeping { members.append(CanonicalSplice.Member(name: name, whole: start..<index)) }
            guard let closed = endOfItem(closingWith: UInt8(ascii: "}")) else { return false }
            if closed { return true }
        }
    }

    mutating func array(depth: Int) -> Bool {
        guard depth <= CanonicalSplice.maxDepth else { return false }
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            guard value(depth: depth), let closed = endOfItem(closingWith: UInt8(ascii: "]")) else { return false }
            if closed { return true }
        }
    }

    /// After a member or an element: a comma (false: another follows) or `close` (true: the container ends); nil
    /// for anything else.
    private mutating func endOfItem(closingWith close: UInt8) -> Bool? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: ",") || bytes[index] == close else { return nil }
        index += 1
        return bytes[index - 1] == close
    }

    /// A string at `index` as the encoder writes it: raw UTF-8 in NFC except for `"`, `\` and the code points
    /// below U+0020, escaped as the encoder escapes them (the short forms, else `\u00xx` in lowercase). Returns
    /// the range between the quotes. One pass checks the grammar, the UTF-8 and the NFC quick check together.
    mutating func string(allowingEscapes: Bool) -> Range<Int>? {
        index += 1
        let start = index
        while true {
            // Eight bytes at a step while none is a quote, a backslash, a control or part of a multi-byte scalar.
            while index + 8 <= bytes.count {
                let word = ByteWords.word(bytes, at: index)
                guard ByteWords.isASCII(word), !ByteWords.hasQuoteBackslashOrControl(word) else { break }
                index += 8
            }
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            if byte >= 0x80 {
                guard let end = nfcScalarEnd() else { return nil }
                index = end
                continue
            }
            if byte == UInt8(ascii: "\"") { break }
            if byte != UInt8(ascii: "\\") {
                // A raw control byte is not JSON at all.
                guard byte >= 0x20 else { return nil }
                index += 1
                continue
            }
            guard allowingEscapes, index + 1 < bytes.count else { return nil }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "n"),
                UInt8(ascii: "f"), UInt8(ascii: "r"):
                index += 2
            case UInt8(ascii: "u"):
                guard index + 6 <= bytes.count, bytes[index + 2] == UInt8(ascii: "0"), bytes[index + 3] == UInt8(ascii: "0"),
                    let high = CanonicalJSONEncoder.lowercaseHexValue(bytes[index + 4]), high <= 1,
                    let low = CanonicalJSONEncoder.lowercaseHexValue(bytes[index + 5])
                else { return nil }
                // The five with a short form are written in it.
                guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(high << 4 | low) else { return nil }
                index += 6
            default:
                return nil
            }
        }
        let content = start..<index
        index += 1
        return content
    }

    /// The end of the multi-byte scalar at `index` when it is well-formed UTF-8 (the Unicode Standard's table
    /// 3-7, as the parser checks it) and one the NFC quick check clears whatever surrounds it; nil otherwise, and for
    /// every scalar beyond the Basic Multilingual Plane, which the quick check never clears. Escapes stand for
    /// ASCII controls, which NFC leaves alone and which never combine, so a string's text passes exactly when its
    /// raw bytes do.
    private func nfcScalarEnd() -> Int? {
        let lead = bytes[index]
        let scalar: UInt32
        switch lead {
        case 0xC2...0xDF:
            guard index + 1 < bytes.count, bytes[index + 1] & 0xC0 == 0x80 else { return nil }
            scalar = UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
            if scalar < 0x0300 { return index + 2 }
            return String.isQuickCheckNFC(scalar) ? index + 2 : nil
        case 0xE0...0xEF:
            guard index + 2 < bytes.count else { return nil }
            let (second, third) = (bytes[index + 1], bytes[index + 2])
            let secondRange: ClosedRange<UInt8> = lead == 0xE0 ? 0xA0...0xBF : lead == 0xED ? 0x80...0x9F : 0x80...0xBF
            guard secondRange.contains(second), third & 0xC0 == 0x80 else { return nil }
            scalar = UInt32(lead & 0x0F) << 12 | UInt32(second & 0x3F) << 6 | UInt32(third & 0x3F)
            return String.isQuickCheckNFC(scalar) ? index + 3 : nil
        default:
            return nil
        }
    }

    /// A number in RFC 8259's grammar, which the encoder writes as its literal.
    mutating func number() -> Bool {
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "0"): index += 1
        case UInt8(ascii: "1")...UInt8(ascii: "9"): skipDigits()
        default: return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit else { return false }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit else { return false }
            skipDigits()
        }
        return true
    }

    private var isDigit: Bool {
        index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
    }

    private mutating func skipDigits() {
        while isDigit { index += 1 }
    }

    mutating func literal(_ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        guard bytes.count - index >= length,
            UnsafeBufferPointer(rebasing: bytes[index..<index + length])
                .elementsEqual(UnsafeBufferPointer(start: text.utf8Start, count: length))
        else { return false }
        index += length
        return true
    }
}

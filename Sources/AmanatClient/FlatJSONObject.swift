/// A strict JSON reader that keeps only the string and integer members of a top-level object.
///
/// Nested values are validated and skipped rather than built, so hostile input costs no more than its length,
/// and a depth limit keeps the recursion off the end of the stack.
struct FlatJSONObject {
    enum Value: Equatable {
        case string(String)
        case integer(Int)
        case other
    }

    private static let maxDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The object's members in document order, or nil when `bytes` is not exactly one JSON object.
    static func parse(_ bytes: [UInt8]) -> [(String, Value)]? {
        var parser = FlatJSONObject(bytes: bytes)
        guard let members = parser.parseTopLevel() else {
            return nil
        }
        return members
    }

    private mutating func parseTopLevel() -> [(String, Value)]? {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else {
            return nil
        }
        var members: [(String, Value)] = []
        skipWhitespace()
        if !consume(UInt8(ascii: "}")) {
            repeat {
                skipWhitespace()
                guard let key = parseString() else {
                    return nil
                }
                skipWhitespace()
                guard consume(UInt8(ascii: ":")), let value = parseValue(depth: 1) else {
                    return nil
                }
                members.append((key, value))
                skipWhitespace()
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "}")) else {
                return nil
            }
        }
        skipWhitespace()
        return index == bytes.count ? members : nil
    }

    private mutating func parseValue(depth: Int) -> Value? {
        guard depth <= Self.maxDepth else {
            return nil
        }
        skipWhitespace()
        guard index < bytes.count else {
            return nil
        }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return parseString().map(Value.string)
        case UInt8(ascii: "{"):
            return skipContainer(close: UInt8(ascii: "}"), depth: depth, keyed: true) ? .other : nil
        case UInt8(ascii: "["):
            return skipContainer(close: UInt8(ascii: "]"), depth: depth, keyed: false) ? .other : nil
        case UInt8(ascii: "t"):
            return consumeLiteral("true") ? .other : nil
        case UInt8(ascii: "f"):
            return consumeLiteral("false") ? .other : nil
        case UInt8(ascii: "n"):
            return consumeLiteral("null") ? .other : nil
        default:
            return parseNumber()
        }
    }

    private mutating func skipContainer(close: UInt8, depth: Int, keyed: Bool) -> Bool {
        index += 1
        skipWhitespace()
        if consume(close) {
            return true
        }
        repeat {
            if keyed {
                skipWhitespace()
                guard parseString() != nil else {
                    return false
                }
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else {
                    return false
                }
            }
            guard parseValue(depth: depth + 1) != nil else {
                return false
            }
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        return consume(close)
    }

    /// Integers become `.integer`; fractions, exponents and out-of-range values are valid JSON but not statuses.
    private mutating func parseNumber() -> Value? {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        // A leading zero stands alone; "01" then fails at the caller, which expects a separator after "0".
        if !consume(UInt8(ascii: "0")) && digitRun() == 0 {
            return nil
        }
        var isInteger = true
        if consume(UInt8(ascii: ".")) {
            isInteger = false
            guard digitRun() > 0 else {
                return nil
            }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            isInteger = false
            _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
            guard digitRun() > 0 else {
                return nil
            }
        }
        guard isInteger, let number = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            return .other
        }
        return .integer(number)
    }

    private mutating func digitRun() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            index += 1
        }
        return index - start
    }

    private mutating func parseString() -> String? {
        guard consume(UInt8(ascii: "\"")) else {
            return nil
        }
        var utf8: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                // Invalid UTF-8 from the server is repaired rather than rejected; it is only shown to a person.
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let scalar = parseEscape() else {
                    return nil
                }
                utf8.append(contentsOf: String(scalar).utf8)
            case 0..<0x20:
                return nil
            default:
                utf8.append(byte)
            }
        }
        return nil
    }

    private mutating func parseEscape() -> Unicode.Scalar? {
        guard index < bytes.count else {
            return nil
        }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(byte)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"): break
        default: return nil
        }
        guard let unit = parseHex4() else {
            return nil
        }
        guard UTF16.isLeadSurrogate(unit) else {
            return Unicode.Scalar(unit) ?? "\u{FFFD}"
        }
        // A lead surrogate only means something when a trail surrogate escape follows it.
        let afterLead = index
        if consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let trail = parseHex4(),
           UTF16.isTrailSurrogate(trail) {
            let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(trail) - 0xDC00)
            return Unicode.Scalar(value) ?? "\u{FFFD}"
        }
        index = afterLead
        return "\u{FFFD}"
    }

    private mutating func parseHex4() -> UInt16? {
        guard bytes.count - index >= 4 else {
            return nil
        }
        var value: UInt16 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = hexDigitValue(byte) else {
                return nil
            }
            value = value << 4 | UInt16(digit)
        }
        index += 4
        return value
    }

    private mutating func consumeLiteral(_ literal: String) -> Bool {
        guard bytes[index...].starts(with: literal.utf8) else {
            return false
        }
        index += literal.utf8.count
        return true
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else {
            return false
        }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }
}

func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

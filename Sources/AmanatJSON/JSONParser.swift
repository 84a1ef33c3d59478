/// Why a document was rejected, and where.
///
/// The description names only the kind and the byte offset. Inputs are testimonies, so no part of the input may
/// ever reach an error message or a log line through this type.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: Sendable, Hashable, CaseIterable {
        /// The input is not well-formed UTF-8: overlong forms, encoded surrogates, scalars above U+10FFFF,
        /// stray continuation bytes or truncated sequences.
        case invalidUTF8
        /// The input is UTF-8 but not a single RFC 8259 JSON text.
        case syntax
        /// Arrays and objects are nested deeper than the parser's `maxDepth`.
        case tooDeep
        /// An object repeats a key.
        case duplicateKey
        /// A string or key is longer than the parser's `maxStringBytes`.
        case tooLarge
    }

    /// The class of failure.
    public var kind: Kind
    /// Byte offset into the input: the first byte of the offending sequence, token, string or container; the
    /// input's length when it ends too early.
    public var offset: Int

    /// Creates an error of `kind` at byte `offset`.
    public init(kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// For example "invalid JSON at byte 17". Never contains input text.
    public var description: String {
        switch kind {
        case .invalidUTF8: "invalid UTF-8 at byte \(offset)"
        case .syntax: "invalid JSON at byte \(offset)"
        case .tooDeep: "JSON nested too deeply at byte \(offset)"
        case .duplicateKey: "duplicate JSON object key at byte \(offset)"
        case .tooLarge: "JSON string too large at byte \(offset)"
        }
    }
}

/// A strict RFC 8259 parser with limits, for untrusted request bodies.
///
/// Beyond the RFC's grammar it requires valid UTF-8, rejects a byte order mark, rejects duplicate keys, and
/// bounds nesting and string length. It is iterative, so hostile nesting cannot exhaust the stack while parsing.
///
/// Keys are duplicates when they are canonically equivalent, not only when their scalars are identical: besides
/// exact repeats, `"\u{E9}"` and `"e\u{301}"` in one object are rejected, because a `[String: JSONValue]` cannot
/// hold both (`String` equality is canonical equivalence) and canonical JSON would emit both as the same NFC key.
public struct JSONParser: Sendable {
    /// The deepest nesting of arrays and objects accepted; a top-level array or object has depth 1, and 0 admits
    /// only scalars. Keep it modest: a `JSONValue` is compared, encoded and destroyed recursively.
    public let maxDepth: Int
    /// The longest string or object key accepted, in UTF-8 bytes after escapes are decoded.
    public let maxStringBytes: Int

    /// Where the string values that are secrets (file keys) sit: each path lists the member names from the top-level
    /// object down, arrays on the way not counted: `["attachments", "key"]` is the `key` of every object in the
    /// top-level `attachments` array. ``parse(_:secrets:)`` leaves these strings in the input.
    public let secretPaths: [[String]]

    /// Creates a parser with the given limits. A string at one of `secretPaths` is never copied out of the input
    /// (see ``parse(_:secrets:)``); ``parse(_:)`` refuses a parser that has any.
    public init(maxDepth: Int = 32, maxStringBytes: Int = .max, secretPaths: [[String]] = []) {
        precondition(maxDepth >= 0 && maxStringBytes >= 0, "JSON parser limits must not be negative")
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.secretPaths = secretPaths
    }

    /// Parses like ``parse(_:)``, except that a string value at one of ``secretPaths`` is checked as JSON but not
    /// decoded: the range of its bytes between the quotes, escapes as written, is appended to `secrets` (in the
    /// order of the input), and its value in the tree is the string `"#n"`, `n` its index in `secrets`. The caller
    /// reads the secret from the input, which it then wipes, so the secret never lives in a `String`. Other values
    /// at those paths (a number, an object) are parsed as usual.
    public func parse(
        _ bytes: UnsafeRawBufferPointer, secrets: inout [Range<Int>]
    ) throws(JSONParseError) -> JSONValue {
        let buffer = bytes.assumingMemoryBound(to: UInt8.self)
        if let bad = UTF8Validation.firstInvalidOffset(in: buffer) {
            throw JSONParseError(kind: .invalidUTF8, offset: bad)
        }
        var reader = JSONReader(
            bytes: buffer, maxDepth: maxDepth, maxStringBytes: maxStringBytes, secretPaths: secretPaths
        )
        defer { secrets = reader.secrets }
        return try reader.parseDocument()
    }

    /// ``parse(_:secrets:)`` of the bytes of `bytes`, in place.
    public func parse(_ bytes: [UInt8], secrets: inout [Range<Int>]) throws(JSONParseError) -> JSONValue {
        var found: [Range<Int>] = []
        // `withUnsafeBytes` only rethrows untyped errors, so carry the typed one out in a Result.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSONValue in try parse(raw, secrets: &found) }
        }
        secrets = found
        return try result.get()
    }

    /// Parses exactly one JSON value, with optional whitespace around it, from UTF-8 `bytes`.
    ///
    /// Contiguous collections (`[UInt8]`, `ArraySlice`, `String.UTF8View`, `UnsafeRawBufferPointer`, NIO's
    /// `ByteBufferView`) are read in place; others are copied first. Error offsets count from `bytes`' first
    /// element, whatever its index.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        // `withContiguousStorageIfAvailable` only rethrows untyped errors, so carry the typed one out in a Result.
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer: buffer) }
        }
        if let contiguous {
            return try contiguous.get()
        }
        return try Array(bytes).withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            try parse(buffer: buffer)
        }
    }

    private func parse(buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        precondition(secretPaths.isEmpty, "a parser with secret paths parses only with parse(_:secrets:)")
        // Validating first makes the verdict on bad UTF-8 independent of where the grammar happens to fail, and
        // lets the string scanner copy non-ASCII bytes without looking at them.
        if let bad = UTF8Validation.firstInvalidOffset(in: buffer) {
            throw JSONParseError(kind: .invalidUTF8, offset: bad)
        }
        var reader = JSONReader(bytes: buffer, maxDepth: maxDepth, maxStringBytes: maxStringBytes, secretPaths: [])
        return try reader.parseDocument()
    }
}

/// Well-formedness per the Unicode Standard, table 3-7.
private enum UTF8Validation {
    /// The offset of the first byte of the first ill-formed sequence, or `nil` when `bytes` is well-formed.
    static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        var index = 0
        while index < count {
            // Testimonies are often mostly ASCII even in non-Latin scripts (JSON syntax, keys), so skip ASCII a
            // word at a time.
            while index + 8 <= count,
                UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
                    & 0x8080_8080_8080_8080 == 0
            {
                index += 8
            }
            guard index < count else { break }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The allowed range of the second byte depends on the lead; that range is what excludes overlongs,
            // surrogates and scalars above U+10FFFF.
            let length: Int
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; secondLow = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; secondHigh = 0x9F
            case 0xF0: length = 4; secondLow = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; secondHigh = 0x8F
            default: return index
            }
            guard index + 1 < count, (secondLow...secondHigh).contains(bytes[index + 1]) else { return index }
            for continuation in 2..<length {
                guard index + continuation < count, bytes[index + continuation] & 0xC0 == 0x80 else { return index }
            }
            index += length
        }
        return nil
    }
}

/// One open array or object while parsing. Kept flat so that unwinding a deep failure is not recursive.
private struct OpenContainer {
    var isObject: Bool
    var elements: [JSONValue] = []
    var members: [String: JSONValue] = [:]
    /// The key whose value is being parsed, for objects.
    var key: String = ""
    /// The NFC bytes of every key so far, kept only once a key needs them (see `admitKey`).
    var normalizedKeys: Set<[UInt8]>?

    /// Makes `key` the name of the member being parsed, unless an earlier member has the same name.
    mutating func admitKey(_ key: String, at offset: Int) throws(JSONParseError) {
        let duplicate = JSONParseError(kind: .duplicateKey, offset: offset)
        guard members[key] == nil else { throw duplicate }
        // `String` equality misses a few canonically equivalent spellings involving characters that decompose to
        // non-starters; two such keys would become one key in canonical JSON, so compare their NFC as well. Only
        // objects that contain such a key pay for it.
        if normalizedKeys == nil, key.hasNonStarterDecomposition {
            normalizedKeys = Set(members.keys.map { Array($0.nfc.utf8) })
        }
        if let inserted = normalizedKeys?.insert(Array(key.nfc.utf8)).inserted, !inserted { throw duplicate }
        self.key = key
    }
}

private enum ASCII {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let period: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let one: UInt8 = 0x31
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let upperE: UInt8 = 0x45
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let lowerB: UInt8 = 0x62
    static let lowerE: UInt8 = 0x65
    static let lowerF: UInt8 = 0x66
    static let lowerN: UInt8 = 0x6E
    static let lowerR: UInt8 = 0x72
    static let lowerT: UInt8 = 0x74
    static let lowerU: UInt8 = 0x75
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
}

/// The parsing state over one already-validated UTF-8 buffer.
private struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    let maxStringBytes: Int
    var index = 0
    /// Reused across strings that contain escapes, so decoding does not allocate per string.
    var scratch: [UInt8] = []
    let secretPaths: [[String]]
    /// The ranges of the secret strings read so far.
    var secrets: [Range<Int>] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, maxStringBytes: Int, secretPaths: [[String]]) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.secretPaths = secretPaths
    }

    /// Whether a value in the innermost of `stack` is at one of ``secretPaths``.
    private func isSecretPlace(_ stack: [OpenContainer]) -> Bool {
        guard stack.last?.isObject == true else { return false }
        let names = stack.lazy.filter(\.isObject).map(\.key)
        return secretPaths.contains { $0.count == names.count && $0.elementsEqual(names) }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        var stack: [OpenContainer] = []
        parsingValue: while true {
            skipWhitespace()
            guard index < bytes.count else { throw error(.syntax) }
            var value: JSONValue
            switch bytes[index] {
            case ASCII.openBrace:
                try checkDepth(enclosing: stack.count)
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == ASCII.closeBrace {
                    index += 1
                    value = .object([:])
                } else {
                    let (key, keyOffset) = try parseMemberName()
                    var object = OpenContainer(isObject: true)
                    try object.admitKey(key, at: keyOffset)
                    stack.append(object)
                    continue parsingValue
                }
            case ASCII.openBracket:
                try checkDepth(enclosing: stack.count)
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == ASCII.closeBracket {
                    index += 1
                    value = .array([])
                } else {
                    stack.append(OpenContainer(isObject: false))
                    continue parsingValue
                }
            case ASCII.quote:
                if !secretPaths.isEmpty, isSecretPlace(stack) {
                    secrets.append(try skipSecretString())
                    value = .string("#\(secrets.count - 1)")
                } else {
                    value = .string(try parseString())
                }
            case ASCII.lowerT:
                try expectLiteral("true")
                value = .bool(true)
            case ASCII.lowerF:
                try expectLiteral("false")
                value = .bool(false)
            case ASCII.lowerN:
                try expectLiteral("null")
                value = .null
            case ASCII.minus, ASCII.zero...ASCII.nine:
                value = .number(try parseNumber())
            default:
                throw error(.syntax)
            }

            // A value is complete: store it in its container, and close every container the input closes here.
            while true {
                skipWhitespace()
                guard let top = stack.indices.last else {
                    guard index == bytes.count else { throw error(.syntax) }
                    return value
                }
                guard index < bytes.count else { throw error(.syntax) }
                let next = bytes[index]
                if stack[top].isObject {
                    let key = stack[top].key
                    stack[top].members[key] = value
                    if next == ASCII.comma {
                        index += 1
                        skipWhitespace()
                        let (key, keyOffset) = try parseMemberName()
                        try stack[top].admitKey(key, at: keyOffset)
                        continue parsingValue
                    }
                    guard next == ASCII.closeBrace else { throw error(.syntax) }
                    index += 1
                    value = .object(stack.removeLast().members)
                } else {
                    stack[top].elements.append(value)
                    if next == ASCII.comma {
                        index += 1
                        continue parsingValue
                    }
                    guard next == ASCII.closeBracket else { throw error(.syntax) }
                    index += 1
                    value = .array(stack.removeLast().elements)
                }
            }
        }
    }

    private func error(_ kind: JSONParseError.Kind) -> JSONParseError {
        JSONParseError(kind: kind, offset: index)
    }

    private func checkDepth(enclosing: Int) throws(JSONParseError) {
        guard enclosing < maxDepth else { throw error(.tooDeep) }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.space, ASCII.lineFeed, ASCII.carriageReturn, ASCII.tab: index += 1
            default: return
            }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let length = literal.utf8CodeUnitCount
        guard bytes.count - index >= length,
            UnsafeBufferPointer(rebasing: bytes[index..<index + length])
                .elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: length))
        else { throw error(.syntax) }
        index += length
    }

    /// Parses `"name"`, the colon and the whitespace around it; returns the name and the offset of its quote.
    private mutating func parseMemberName() throws(JSONParseError) -> (String, Int) {
        let offset = index
        guard index < bytes.count, bytes[index] == ASCII.quote else { throw error(.syntax) }
        let name = try parseString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == ASCII.colon else { throw error(.syntax) }
        index += 1
        return (name, offset)
    }

    private func isDigit(at position: Int) -> Bool {
        position < bytes.count && (ASCII.zero...ASCII.nine).contains(bytes[position])
    }

    private mutating func skipDigits() {
        while isDigit(at: index) { index += 1 }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as its literal text.
    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        if bytes[index] == ASCII.minus { index += 1 }
        guard index < bytes.count else { throw error(.syntax) }
        switch bytes[index] {
        case ASCII.zero: index += 1
        case ASCII.one...ASCII.nine: skipDigits()
        default: throw error(.syntax)
        }
        if index < bytes.count, bytes[index] == ASCII.period {
            index += 1
            guard isDigit(at: index) else { throw error(.syntax) }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == ASCII.lowerE || bytes[index] == ASCII.upperE {
            index += 1
            if index < bytes.count, bytes[index] == ASCII.plus || bytes[index] == ASCII.minus { index += 1 }
            guard isDigit(at: index) else { throw error(.syntax) }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    /// Parses a string starting at its opening quote. The buffer is known to be valid UTF-8, so bytes other than
    /// the quote, the backslash and control characters are copied as they are.
    private mutating func parseString() throws(JSONParseError) -> String {
        let open = index
        index += 1
        var runStart = index
        var hasEscapes = false
        scratch.removeAll(keepingCapacity: true)
        while true {
            skipPlainStringBytes()
            guard index < bytes.count else { throw error(.syntax) }
            let byte = bytes[index]
            if byte == ASCII.quote { break }
            if byte == ASCII.backslash {
                hasEscapes = true
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                try decodeEscape()
                runStart = index
                continue
            }
            guard byte >= 0x20 else { throw error(.syntax) }
            index += 1
        }
        let run = UnsafeBufferPointer(rebasing: bytes[runStart..<index])
        index += 1
        if !hasEscapes {
            guard run.count <= maxStringBytes else { throw JSONParseError(kind: .tooLarge, offset: open) }
            return String(decoding: run, as: UTF8.self)
        }
        scratch.append(contentsOf: run)
        guard scratch.count <= maxStringBytes else { throw JSONParseError(kind: .tooLarge, offset: open) }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Checks the string starting at its opening quote as ``parseString()`` does, without decoding it; returns the
    /// range of its bytes between the quotes. What an escape decodes to is wiped from the scratch buffer.
    private mutating func skipSecretString() throws(JSONParseError) -> Range<Int> {
        let open = index
        index += 1
        let start = index
        defer {
            for position in scratch.indices { scratch[position] = 0 }
            scratch.removeAll(keepingCapacity: true)
        }
        while true {
            skipPlainStringBytes()
            guard index < bytes.count else { throw error(.syntax) }
            let byte = bytes[index]
            if byte == ASCII.quote { break }
            if byte == ASCII.backslash {
                try decodeEscape()
                continue
            }
            guard byte >= 0x20 else { throw error(.syntax) }
            index += 1
        }
        let range = start..<index
        index += 1
        guard range.count <= maxStringBytes else { throw JSONParseError(kind: .tooLarge, offset: open) }
        return range
    }

    /// Moves `index` past whole words of eight bytes that hold no quote, backslash or control character, so that
    /// the byte loop in `parseString` sees only the bytes around those.
    private mutating func skipPlainStringBytes() {
        while index + 8 <= bytes.count, !ByteWords.hasQuoteBackslashOrControl(ByteWords.word(bytes, at: index)) {
            index += 8
        }
    }

    /// Decodes the escape at `index` (a backslash) into `scratch`; errors point at that backslash.
    private mutating func decodeEscape() throws(JSONParseError) {
        let escape = index
        let invalid = JSONParseError(kind: .syntax, offset: escape)
        guard escape + 1 < bytes.count else { throw invalid }
        let decoded: UInt8
        switch bytes[escape + 1] {
        case ASCII.quote: decoded = ASCII.quote
        case ASCII.backslash: decoded = ASCII.backslash
        case ASCII.slash: decoded = ASCII.slash
        case ASCII.lowerB: decoded = 0x08
        case ASCII.lowerF: decoded = 0x0C
        case ASCII.lowerN: decoded = ASCII.lineFeed
        case ASCII.lowerR: decoded = ASCII.carriageReturn
        case ASCII.lowerT: decoded = ASCII.tab
        case ASCII.lowerU:
            guard var scalar = hexQuad(at: escape + 2) else { throw invalid }
            index = escape + 6
            switch scalar {
            case 0xD800...0xDBFF:
                // A high surrogate is only meaningful as the first half of an escaped pair.
                guard index + 1 < bytes.count, bytes[index] == ASCII.backslash, bytes[index + 1] == ASCII.lowerU,
                    let low = hexQuad(at: index + 2), (0xDC00...0xDFFF).contains(low)
                else { throw invalid }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                index += 6
            case 0xDC00...0xDFFF:
                throw invalid
            default:
                break
            }
            appendUTF8(scalar)
            return
        default:
            throw invalid
        }
        scratch.append(decoded)
        index = escape + 2
    }

    /// The value of four hex digits at `position`, or `nil`.
    private func hexQuad(at position: Int) -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[position + offset]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}

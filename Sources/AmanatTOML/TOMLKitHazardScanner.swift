/// Finds, without parsing, what TOMLKit 0.6.0 must never be given (see `StrictTOML`):
/// - a NUL byte, at which TOMLKit's C interface would end the text, or a `\u0000` / `\U00000000` escape, at which
///   it would cut a key or string short (refused anywhere, even where it would not be an escape);
/// - a table header whose key starts with a character no key can start with (`[é]`, `[#]`, `[[[`): toml++ 3.4.0
///   asserts in `parse_key` (fixed upstream after 3.4.0, toml++ pull request 301);
/// - a `}` where an array expects a value (`a = [}`, `a = [1, # note` then `}`): toml++ asserts in `parse_value`;
/// - a date or time (a value with `:`, or a digit followed by `-`), which StrictTOML refuses anyway: toml++
///   asserts in `parse_time` on malformed ones such as `1979-05-27T$7`.
///
/// It follows strings, comments and brackets only as far as these checks need; everything else is TOMLKit's to
/// refuse. Positions are 1-based, columns counted in Unicode scalars, as TOMLKit's are.
struct TOMLKitHazardScanner {
    private enum State {
        case normal, comment, basic, literal, multilineBasic, multilineLiteral
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    private var state = State.normal
    /// Whether only spaces and tabs precede `index` on its line.
    private var atLineStart = true
    /// The open `[` and `{` around `index`, outside strings and comments.
    private var brackets: [UInt8] = []
    /// The last byte outside strings and comments that was not whitespace (a string counts as `"`).
    private var lastSignificant: UInt8 = 0
    /// The byte before `index` outside strings and comments.
    private var previous: UInt8 = 0
    /// Whether a value, not a key, comes next or is being read.
    private var inValue = false
    /// Where the unquoted word being read started.
    private var wordStart = (line: 1, column: 1)

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    mutating func scan() throws(TOMLError) {
        while index < bytes.count {
            let byte = bytes[index]
            try checkNUL(byte)
            var width = 1
            switch state {
            case .normal: width = try scanNormal(byte)
            case .comment:
                // The line feed itself is read again outside the comment, where it ends a value.
                if byte == UInt8(ascii: "\n") { (state, width) = (.normal, 0) }
            case .basic, .multilineBasic:
                if byte == UInt8(ascii: "\\") {
                    width = 2
                } else if state == .basic && (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")) {
                    state = .normal
                } else if state == .multilineBasic && startsWith("\"\"\"") {
                    (state, width) = (.normal, 3)
                }
            case .literal, .multilineLiteral:
                if state == .literal && (byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\n")) {
                    state = .normal
                } else if state == .multilineLiteral && startsWith("'''") {
                    (state, width) = (.normal, 3)
                }
            }
            for _ in 0..<width where index < bytes.count {
                try checkNUL(bytes[index])
                advance()
            }
        }
    }

    /// Handles one byte outside strings and comments; returns how many bytes it used.
    private mutating func scanNormal(_ byte: UInt8) throws(TOMLError) -> Int {
        defer { previous = byte }
        if Self.isDelimiter(previous) && !Self.isDelimiter(byte) { wordStart = (line, column) }
        if inValue && (byte == UInt8(ascii: ":") || (byte == UInt8(ascii: "-") && Self.isDigit(previous))) {
            let (line, column) = wordStart
            throw TOMLError(line: line, column: column, message: "dates and times are not supported")
        }
        switch byte {
        case UInt8(ascii: "="):
            inValue = true
        case UInt8(ascii: "#"):
            state = .comment
            return 1
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            lastSignificant = UInt8(ascii: "\"")
            let triple = startsWith(byte == UInt8(ascii: "\"") ? "\"\"\"" : "'''")
            switch (byte == UInt8(ascii: "\""), triple) {
            case (true, true): state = .multilineBasic
            case (true, false): state = .basic
            case (false, true): state = .multilineLiteral
            case (false, false): state = .literal
            }
            return triple ? 3 : 1
        case UInt8(ascii: "["):
            let header = atLineStart && brackets.isEmpty
            if header { try checkHeader() }
            inValue = !header
            brackets.append(byte)
        case UInt8(ascii: "{"):
            inValue = false
            brackets.append(byte)
        case UInt8(ascii: ","):
            inValue = brackets.last == UInt8(ascii: "[")
        case UInt8(ascii: "}"):
            if brackets.last == UInt8(ascii: "["),
                lastSignificant == UInt8(ascii: "[") || lastSignificant == UInt8(ascii: ",")
            {
                throw TOMLError(line: line, column: column, message: "an array needs a value or ] here, not }")
            }
            if brackets.last == UInt8(ascii: "{") { brackets.removeLast() }
            inValue = true
        case UInt8(ascii: "]"):
            if brackets.last == UInt8(ascii: "[") { brackets.removeLast() }
        case UInt8(ascii: "\n"):
            // A value or header ends at its line's end except inside an array or inline table.
            if brackets.last != UInt8(ascii: "[") { brackets.removeAll() }
            inValue = !brackets.isEmpty
        default:
            break
        }
        if !Self.isWhitespace(byte) { lastSignificant = byte }
        return 1
    }

    /// At a `[` that starts a line outside any value: the header's key must start with a key's character.
    private func checkHeader() throws(TOMLError) {
        var keyStart = index + 1
        if keyStart < bytes.count && bytes[keyStart] == UInt8(ascii: "[") { keyStart += 1 }
        while keyStart < bytes.count, bytes[keyStart] == UInt8(ascii: " ") || bytes[keyStart] == UInt8(ascii: "\t") {
            keyStart += 1
        }
        guard keyStart < bytes.count, !Self.canStartHeaderKey(bytes[keyStart]) else { return }
        throw TOMLError(
            line: line, column: column + keyStart - index,
            message: "a table header's key must start with a letter, digit, _, - or a quote"
        )
    }

    private func checkNUL(_ byte: UInt8) throws(TOMLError) {
        if byte == 0 {
            throw TOMLError(line: line, column: column, message: "NUL characters are not allowed")
        }
        if byte == UInt8(ascii: "\\") && (startsWith("\\u0000") || startsWith("\\U00000000")) {
            throw TOMLError(line: line, column: column, message: "NUL escapes are not allowed")
        }
    }

    private mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
            atLineStart = true
        } else {
            atLineStart = atLineStart && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t"))
            // Continuation bytes add no column: columns count Unicode scalars.
            if byte & 0xC0 != 0x80 { column += 1 }
        }
    }

    private func startsWith(_ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return prefix.withUTF8Buffer { expected in bytes[index..<index + count].elementsEqual(expected) }
    }

    /// What ends an unquoted word: whitespace and TOML's punctuation.
    private static func isDelimiter(_ byte: UInt8) -> Bool {
        isWhitespace(byte) || "=[]{},#\"'".utf8.contains(byte) || byte == 0
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    /// What may follow `[` in a header: a bare key's character, a quote, or the `]` of an empty key, which toml++
    /// refuses with a message of its own.
    private static func canStartHeaderKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
            UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "]"):
            true
        default: false
        }
    }
}

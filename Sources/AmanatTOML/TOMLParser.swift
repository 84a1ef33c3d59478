/// Parses a strict subset of TOML 1.0.
///
/// Supported: comments; bare, quoted and dotted keys; basic, literal and multi-line strings; decimal, hexadecimal,
/// octal and binary integers that fit in `Int64`; booleans; arrays; inline tables; `[table]` and `[[array]]` headers.
/// Floats, dates and times are rejected with an error saying so. TOML's rules against defining a key or table twice
/// are enforced. Newlines inside multi-line strings are returned as "\n", also when the document uses CRLF.
public enum TOMLParser {
    /// The deepest nesting accepted, counted separately for key paths and for arrays and inline tables within
    /// one value. Bounded so that hostile input cannot exhaust the stack of the recursive descent.
    public static let maximumDepth = 64

    /// Parses a whole document into its root table.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var parser = TOMLDocumentParser(text)
        return try parser.parseDocument()
    }
}

/// A table under construction, with what TOML needs to know to decide whether it may still be extended.
private final class TOMLTableNode {
    enum Origin {
        /// Created as the parent of a header's table, e.g. `a` by `[a.b]`; a later `[a]` may still define it.
        case implicit
        /// Defined by a `[header]`, an `[[array]]` element or the document root.
        case header
        /// Created by a dotted key such as `a.b = 1`; only more dotted keys (and sub-table headers) may add to it.
        case dotted
        /// The body of an inline table while it is being parsed; frozen into a value afterwards.
        case inline
    }

    enum Entry {
        /// A plain value, including inline tables and static arrays, which can never be extended.
        case value(TOMLValue)
        case table(TOMLTableNode)
        /// An array of tables made by `[[name]]` headers; never empty.
        case tableArray([TOMLTableNode])
    }

    var origin: Origin
    private(set) var keys: [String] = []
    private var entries: [String: Entry] = [:]

    init(origin: Origin) {
        self.origin = origin
    }

    subscript(key: String) -> Entry? {
        entries[key]
    }

    /// Adds a key that is not yet present; callers have checked that, as TOML forbids redefinition.
    func add(_ entry: Entry, forKey key: String) {
        let previous = entries.updateValue(entry, forKey: key)
        precondition(previous == nil, "key added twice")
        keys.append(key)
    }

    /// Appends in place: taking the array out of `entries` first leaves it uniquely referenced, so that
    /// a long run of `[[name]]` headers costs linear rather than quadratic time.
    func append(_ element: TOMLTableNode, toTableArray key: String) {
        guard case .tableArray(var elements) = entries.removeValue(forKey: key) else {
            preconditionFailure("not an array of tables")
        }
        elements.append(element)
        entries[key] = .tableArray(elements)
    }

    func freeze() -> TOMLTable {
        var table = TOMLTable()
        for key in keys {
            switch entries[key] {
            case .value(let value): table[key] = value
            case .table(let node): table[key] = .table(node.freeze())
            case .tableArray(let nodes): table[key] = .array(nodes.map { .table($0.freeze()) })
            case nil: continue
            }
        }
        return table
    }
}

/// One part of a dotted key, with where it starts for error positions.
private struct TOMLKeySegment {
    var name: String
    var position: Int
}

/// A recursive-descent parser over the document's Unicode scalars.
private struct TOMLDocumentParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    private static let invalidEscapeMessage =
        #"invalid escape sequence; TOML allows \b \t \n \f \r \" \\ \uXXXX and \UXXXXXXXX"#

    init(_ text: String) {
        var scalars = Array(text.unicodeScalars)
        // Editors on Windows like to prepend a byte order mark; it carries no meaning.
        if scalars.first == "\u{FEFF}" {
            scalars.removeFirst()
        }
        self.scalars = scalars
    }

    // MARK: Document structure

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        let root = TOMLTableNode(origin: .header)
        var table = root
        var path: [String] = []
        while true {
            skipWhitespace()
            guard let scalar = peek() else { break }
            switch scalar {
            case "#", "\n", "\r":
                try finishLine(after: "")
            case "[":
                (table, path) = try parseHeader(root: root)
                try finishLine(after: "the table header")
            default:
                try parseKeyValue(into: table, path: path)
                try finishLine(after: "the value")
            }
        }
        return root.freeze()
    }

    /// Consumes optional whitespace and a comment, then requires the end of the line or of the document.
    private mutating func finishLine(after context: String) throws(TOMLError) {
        skipWhitespace()
        if peek() == "#" {
            try skipComment()
        }
        guard peek() != nil else { return }
        guard try consumeNewline() else {
            throw error("unexpected text after \(context); expected the end of the line")
        }
    }

    /// Parses `[a.b]` or `[[a.b]]` and returns the table that the following key/value pairs go into.
    private mutating func parseHeader(root: TOMLTableNode) throws(TOMLError) -> (TOMLTableNode, [String]) {
        index += 1
        let isArray = peek() == "["
        if isArray {
            index += 1
        }
        skipWhitespace()
        let key = try parseKey()
        skipWhitespace()
        if isArray {
            guard peek() == "]", peek(1) == "]" else {
                throw error(#"expected "]]" to close the array of tables header"#)
            }
            index += 2
        } else {
            guard peek() == "]" else { throw error(#"expected "]" to close the table header"#) }
            index += 1
        }
        let table = try defineTable(key, isArray: isArray, root: root)
        return (table, key.map(\.name))
    }

    private func defineTable(_ key: [TOMLKeySegment], isArray: Bool, root: TOMLTableNode) throws(TOMLError)
        -> TOMLTableNode
    {
        var current = root
        var path: [String] = []
        for segment in key.dropLast() {
            path.append(segment.name)
            // Lazy because only error messages need it.
            lazy var name = TOMLKeyPath.render(path)
            switch current[segment.name] {
            case nil:
                let child = TOMLTableNode(origin: .implicit)
                current.add(.table(child), forKey: segment.name)
                current = child
            case .table(let child):
                current = child
            case .tableArray(let elements):
                // Per TOML, a header below an array of tables extends its most recent element.
                current = elements[elements.count - 1]
            case .value(.table):
                throw error("inline table \"\(name)\" cannot be extended", at: segment.position)
            case .value(.array):
                throw error("static array \"\(name)\" cannot be extended with table headers", at: segment.position)
            case .value:
                throw error("key \"\(name)\" already has a value that is not a table", at: segment.position)
            }
        }
        let last = key[key.count - 1]
        path.append(last.name)
        lazy var name = TOMLKeyPath.render(path)
        switch (current[last.name], isArray) {
        case (nil, false):
            let table = TOMLTableNode(origin: .header)
            current.add(.table(table), forKey: last.name)
            return table
        case (nil, true):
            let element = TOMLTableNode(origin: .header)
            current.add(.tableArray([element]), forKey: last.name)
            return element
        case (.tableArray, true):
            let element = TOMLTableNode(origin: .header)
            current.append(element, toTableArray: last.name)
            return element
        case (.table(let table), false) where table.origin == .implicit:
            table.origin = .header
            return table
        case (.table(let table), false) where table.origin == .dotted:
            throw error("table \"\(name)\" is already defined by dotted keys", at: last.position)
        case (.table, false):
            throw error("table \"\(name)\" is defined more than once", at: last.position)
        case (.table, true):
            throw error("table \"\(name)\" is already defined, so it cannot be an array of tables", at: last.position)
        case (.tableArray, false):
            throw error("array of tables \"\(name)\" cannot be redefined as a table", at: last.position)
        case (.value(.table), _):
            throw error("inline table \"\(name)\" cannot be redefined", at: last.position)
        case (.value(.array), true):
            throw error("static array \"\(name)\" cannot be extended with [[\(name)]]", at: last.position)
        case (.value, _):
            throw error("key \"\(name)\" already has a value that is not a table", at: last.position)
        }
    }

    private mutating func parseKeyValue(into table: TOMLTableNode, path: [String]) throws(TOMLError) {
        let key = try parseKey()
        skipWhitespace()
        guard peek() == "=" else { throw error(#"expected "=" after the key"#) }
        index += 1
        skipWhitespace()
        try checkKeyDepth(path.count + key.count, at: key[0].position)
        let value = try parseValue(path: path + key.map(\.name), depth: 0)
        try assign(value, to: key, in: table, path: path)
    }

    /// Stores a value under a possibly dotted key, creating the intermediate tables that dotted keys imply.
    private func assign(
        _ value: TOMLValue, to key: [TOMLKeySegment], in table: TOMLTableNode, path: [String]
    ) throws(TOMLError) {
        var current = table
        var path = path
        for segment in key.dropLast() {
            path.append(segment.name)
            lazy var name = TOMLKeyPath.render(path)
            switch current[segment.name] {
            case nil:
                let child = TOMLTableNode(origin: .dotted)
                current.add(.table(child), forKey: segment.name)
                current = child
            case .table(let child) where child.origin == .dotted:
                current = child
            case .table:
                throw error(
                    "table \"\(name)\" comes from a table header, so dotted keys cannot add to it", at: segment.position
                )
            case .tableArray:
                throw error("array of tables \"\(name)\" cannot be extended with dotted keys", at: segment.position)
            case .value(.table):
                throw error("inline table \"\(name)\" cannot be extended", at: segment.position)
            case .value:
                throw error("key \"\(name)\" already has a value that is not a table", at: segment.position)
            }
        }
        let last = key[key.count - 1]
        path.append(last.name)
        switch current[last.name] {
        case nil:
            current.add(.value(value), forKey: last.name)
        case .value:
            throw error("duplicate key \"\(TOMLKeyPath.render(path))\"", at: last.position)
        case .table, .tableArray:
            throw error("key \"\(TOMLKeyPath.render(path))\" is already defined as a table", at: last.position)
        }
    }

    private func checkKeyDepth(_ depth: Int, at position: Int) throws(TOMLError) {
        guard depth <= TOMLParser.maximumDepth else {
            throw error("keys are nested more than \(TOMLParser.maximumDepth) levels deep", at: position)
        }
    }

    // MARK: Keys

    private mutating func parseKey() throws(TOMLError) -> [TOMLKeySegment] {
        var segments = [try parseSimpleKey()]
        while true {
            skipWhitespace()
            guard peek() == "." else { return segments }
            index += 1
            skipWhitespace()
            segments.append(try parseSimpleKey())
            try checkKeyDepth(segments.count, at: segments[segments.count - 1].position)
        }
    }

    private mutating func parseSimpleKey() throws(TOMLError) -> TOMLKeySegment {
        let start = index
        switch peek() {
        case "\"":
            guard !(peek(1) == "\"" && peek(2) == "\"") else { throw error("multi-line strings cannot be keys") }
            return TOMLKeySegment(name: try parseBasicString(), position: start)
        case "'":
            guard !(peek(1) == "'" && peek(2) == "'") else { throw error("multi-line strings cannot be keys") }
            return TOMLKeySegment(name: try parseLiteralString(), position: start)
        case let scalar? where TOMLKeyPath.isBareKeyScalar(scalar):
            while let scalar = peek(), TOMLKeyPath.isBareKeyScalar(scalar) {
                index += 1
            }
            return TOMLKeySegment(name: string(start..<index), position: start)
        default:
            throw error("expected a key")
        }
    }

    // MARK: Values

    /// Parses the value of `path`; `depth` counts the arrays and inline tables around it within this value.
    private mutating func parseValue(path: [String], depth: Int) throws(TOMLError) -> TOMLValue {
        switch peek() {
        case "\"":
            if peek(1) == "\"" && peek(2) == "\"" {
                return .string(try parseMultilineString(quote: "\""))
            }
            return .string(try parseBasicString())
        case "'":
            if peek(1) == "'" && peek(2) == "'" {
                return .string(try parseMultilineString(quote: "'"))
            }
            return .string(try parseLiteralString())
        case "[":
            return try parseArray(path: path, depth: depth + 1)
        case "{":
            return try parseInlineTable(path: path, depth: depth + 1)
        default:
            return try parseBareValue()
        }
    }

    private mutating func parseArray(path: [String], depth: Int) throws(TOMLError) -> TOMLValue {
        let start = index
        try checkValueDepth(depth)
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            guard let scalar = peek() else { throw error("unterminated array", at: start) }
            if scalar == "]" {
                index += 1
                return .array(elements)
            }
            elements.append(try parseValue(path: path, depth: depth))
            try skipWhitespaceCommentsAndNewlines()
            switch peek() {
            case ",":
                index += 1
            case "]":
                index += 1
                return .array(elements)
            case nil:
                throw error("unterminated array", at: start)
            default:
                throw error(#"expected "," or "]" after an array element"#)
            }
        }
    }

    private mutating func parseInlineTable(path: [String], depth: Int) throws(TOMLError) -> TOMLValue {
        let start = index
        try checkValueDepth(depth)
        index += 1
        let table = TOMLTableNode(origin: .inline)
        skipWhitespace()
        if peek() == "}" {
            index += 1
            return .table(table.freeze())
        }
        while true {
            switch peek() {
            case nil: throw error("unterminated inline table", at: start)
            case "\n", "\r", "#": throw error("inline tables must be on a single line")
            default: break
            }
            let key = try parseKey()
            skipWhitespace()
            guard peek() == "=" else { throw error(#"expected "=" after the key"#) }
            index += 1
            skipWhitespace()
            try checkKeyDepth(path.count + key.count, at: key[0].position)
            let value = try parseValue(path: path + key.map(\.name), depth: depth)
            try assign(value, to: key, in: table, path: path)
            skipWhitespace()
            switch peek() {
            case ",":
                index += 1
                skipWhitespace()
                // Unlike arrays, TOML 1.0 inline tables take no trailing comma.
                guard peek() != "}" else { throw error("trailing commas are not allowed in inline tables") }
            case "}":
                index += 1
                return .table(table.freeze())
            case nil:
                throw error("unterminated inline table", at: start)
            case "\n", "\r", "#":
                throw error("inline tables must be on a single line")
            default:
                throw error(#"expected "," or "}" after an inline table entry"#)
            }
        }
    }

    private func checkValueDepth(_ depth: Int) throws(TOMLError) {
        guard depth <= TOMLParser.maximumDepth else {
            throw error("arrays and inline tables are nested more than \(TOMLParser.maximumDepth) levels deep")
        }
    }

    /// Parses an unquoted value: a boolean or an integer, or recognises a float, date or time to reject it.
    private mutating func parseBareValue() throws(TOMLError) -> TOMLValue {
        let start = index
        while let scalar = peek(), Self.isBareValueScalar(scalar) {
            index += 1
        }
        let token = scalars[start..<index]
        guard !token.isEmpty else { throw error("expected a value", at: start) }
        switch string(start..<index) {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf", "-inf", "nan", "+nan", "-nan": throw error("floats are not supported", at: start)
        default: break
        }
        if Self.matches(token, digits: 4, then: "-") {
            throw error("dates are not supported", at: start)
        }
        if Self.matches(token, digits: 2, then: ":") {
            throw error("times are not supported", at: start)
        }
        return .integer(try parseInteger(token))
    }

    private func parseInteger(_ token: ArraySlice<Unicode.Scalar>) throws(TOMLError) -> Int64 {
        let start = token.startIndex
        var digits = token
        var isNegative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            isNegative = sign == "-"
            digits = digits.dropFirst()
        }
        var radix: UInt64 = 10
        if digits.count >= 2, digits.first == "0", let prefix = digits.dropFirst().first,
            prefix == "x" || prefix == "o" || prefix == "b"
        {
            guard digits.startIndex == start else {
                throw error("hexadecimal, octal and binary integers cannot have a sign", at: start)
            }
            radix = prefix == "x" ? 16 : prefix == "o" ? 8 : 2
            digits = digits.dropFirst(2)
        }
        guard let first = digits.first, Self.digitValue(first, radix: radix) != nil else {
            // Without a sign or radix prefix this is not number-like at all, most likely an unquoted string.
            let isWord = digits.startIndex == start
            throw error(isWord ? "expected a value; strings must be quoted" : "invalid integer", at: start)
        }
        if radix == 10 && digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            throw error("floats are not supported", at: start)
        }
        // Accumulate the magnitude so that Int64.min, whose magnitude exceeds Int64.max, still parses.
        let limit = isNegative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        var magnitude: UInt64 = 0
        var previous: Unicode.Scalar = "_"
        for position in digits.indices {
            let scalar = digits[position]
            if scalar == "_" {
                let next = position + 1 < digits.endIndex ? digits[position + 1] : "_"
                guard previous != "_", Self.digitValue(next, radix: radix) != nil else {
                    throw error("underscores in integers must be between digits", at: position)
                }
            } else {
                guard let digit = Self.digitValue(scalar, radix: radix) else {
                    throw error("invalid integer", at: start)
                }
                let (shifted, overflow) = magnitude.multipliedReportingOverflow(by: radix)
                magnitude = shifted &+ digit
                guard !overflow, magnitude >= shifted, magnitude <= limit else {
                    throw error("integer is out of range for a 64-bit signed integer", at: start)
                }
            }
            previous = scalar
        }
        if radix == 10 && first == "0" && digits.count > 1 {
            throw error("leading zeros are not allowed in decimal integers", at: start)
        }
        if isNegative {
            return magnitude == limit ? Int64.min : -Int64(magnitude)
        }
        return Int64(magnitude)
    }

    private static func isBareValueScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "+", "-", ".", ":": true
        default: false
        }
    }

    private static func matches(_ token: ArraySlice<Unicode.Scalar>, digits: Int, then separator: Unicode.Scalar)
        -> Bool
    {
        guard token.count > digits else { return false }
        let head = token.prefix(digits)
        return head.allSatisfy { digitValue($0, radix: 10) != nil } && token[token.startIndex + digits] == separator
    }

    private static func digitValue(_ scalar: Unicode.Scalar, radix: UInt64) -> UInt64? {
        let value: UInt64
        switch scalar {
        case "0"..."9": value = UInt64(scalar.value - 0x30)
        case "a"..."f": value = UInt64(scalar.value - 0x61 + 10)
        case "A"..."F": value = UInt64(scalar.value - 0x41 + 10)
        default: return nil
        }
        return value < radix ? value : nil
    }

    // MARK: Strings

    private mutating func parseBasicString() throws(TOMLError) -> String {
        let start = index
        index += 1
        var result = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw error("unterminated string", at: start) }
            switch scalar {
            case "\"":
                index += 1
                return String(result)
            case "\\":
                result.append(try parseEscape())
            case "\n", "\r":
                throw error("unterminated string; use a multi-line string for line breaks", at: start)
            default:
                try checkNotControl(scalar)
                result.append(scalar)
                index += 1
            }
        }
    }

    private mutating func parseLiteralString() throws(TOMLError) -> String {
        let start = index
        index += 1
        while true {
            guard let scalar = peek() else { throw error("unterminated string", at: start) }
            switch scalar {
            case "'":
                index += 1
                return string(start + 1..<index - 1)
            case "\n", "\r":
                throw error("unterminated string; use a multi-line string for line breaks", at: start)
            default:
                try checkNotControl(scalar)
                index += 1
            }
        }
    }

    /// Parses `"""…"""` (with escapes) or `'''…'''` (without), whichever `quote` selects.
    private mutating func parseMultilineString(quote: Unicode.Scalar) throws(TOMLError) -> String {
        let start = index
        let isBasic = quote == "\""
        index += 3
        // A newline right after the opening delimiter is not part of the string.
        if peek() == "\n" {
            index += 1
        } else if peek() == "\r" && peek(1) == "\n" {
            index += 2
        }
        var result = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw error("unterminated multi-line string", at: start) }
            switch scalar {
            case quote:
                var quotes = 0
                while peek(quotes) == quote {
                    quotes += 1
                }
                if quotes >= 3 {
                    // Up to two quotes may sit right before the closing delimiter; a sixth is left as stray text.
                    let kept = min(quotes, 5) - 3
                    result.append(contentsOf: repeatElement(quote, count: kept))
                    index += kept + 3
                    return String(result)
                }
                result.append(contentsOf: repeatElement(quote, count: quotes))
                index += quotes
            case "\\" where isBasic:
                if isLineEndingBackslash() {
                    index += 1
                    while peek() == " " || peek() == "\t" || peek() == "\n" || (peek() == "\r" && peek(1) == "\n") {
                        index += 1
                    }
                } else {
                    result.append(try parseEscape())
                }
            case "\n":
                result.append("\n")
                index += 1
            case "\r" where peek(1) == "\n":
                result.append("\n")
                index += 2
            default:
                try checkNotControl(scalar)
                result.append(scalar)
                index += 1
            }
        }
    }

    /// Whether the backslash at `index` is followed by optional whitespace and a newline.
    private func isLineEndingBackslash() -> Bool {
        var offset = 1
        while peek(offset) == " " || peek(offset) == "\t" {
            offset += 1
        }
        return peek(offset) == "\n" || (peek(offset) == "\r" && peek(offset + 1) == "\n")
    }

    /// Parses the escape sequence starting at the backslash at `index`.
    private mutating func parseEscape() throws(TOMLError) -> Unicode.Scalar {
        let start = index
        let letter = peek(1)
        index += 2
        switch letter {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "\"": return "\""
        case "\\": return "\\"
        case "u": return try parseUnicodeEscape(digits: 4, start: start)
        case "U": return try parseUnicodeEscape(digits: 8, start: start)
        default: throw error(Self.invalidEscapeMessage, at: start)
        }
    }

    private mutating func parseUnicodeEscape(digits: Int, start: Int) throws(TOMLError) -> Unicode.Scalar {
        var value: UInt32 = 0
        for offset in 0..<digits {
            guard let scalar = peek(offset), let digit = Self.digitValue(scalar, radix: 16) else {
                let form = digits == 4 ? #"\u"# : #"\U"#
                throw error("unicode escapes need exactly \(digits) hexadecimal digits after \(form)", at: start)
            }
            value = value &* 16 &+ UInt32(digit)
        }
        index += digits
        guard let scalar = Unicode.Scalar(value) else {
            throw error(
                "unicode escape is not a Unicode scalar value (surrogates and values above 10FFFF are invalid)",
                at: start
            )
        }
        return scalar
    }

    /// TOML forbids control characters other than tab in strings and comments; newlines are handled by callers.
    private func checkNotControl(_ scalar: Unicode.Scalar, in context: String = "strings") throws(TOMLError) {
        if (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F {
            throw error("control characters are not allowed in \(context)")
        }
    }

    // MARK: Whitespace, comments and newlines

    private mutating func skipWhitespace() {
        while peek() == " " || peek() == "\t" {
            index += 1
        }
    }

    /// Consumes a comment up to, not including, the end of the line.
    private mutating func skipComment() throws(TOMLError) {
        index += 1
        while let scalar = peek(), scalar != "\n", !(scalar == "\r" && peek(1) == "\n") {
            try checkNotControl(scalar, in: "comments")
            index += 1
        }
    }

    /// Consumes LF or CRLF if one is next; a carriage return on its own is an error.
    private mutating func consumeNewline() throws(TOMLError) -> Bool {
        switch peek() {
        case "\n":
            index += 1
            return true
        case "\r":
            guard peek(1) == "\n" else { throw error("carriage return without a following line feed") }
            index += 2
            return true
        default:
            return false
        }
    }

    /// Skips what may separate array elements: whitespace, comments and newlines.
    private mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLError) {
        while true {
            skipWhitespace()
            if peek() == "#" {
                try skipComment()
            }
            guard try consumeNewline() else { return }
        }
    }

    // MARK: Helpers

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let position = index + offset
        return position < scalars.count ? scalars[position] : nil
    }

    private func string(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range]))
    }

    /// An error at `position` (default: the current one), with its line and column worked out only now,
    /// since errors are rare and the parser need not track lines as it goes.
    private func error(_ message: String, at position: Int? = nil) -> TOMLError {
        let end = min(position ?? index, scalars.count)
        var line = 1
        var column = 1
        for scalar in scalars[..<end] {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return TOMLError(line: line, column: column, message: message)
    }
}

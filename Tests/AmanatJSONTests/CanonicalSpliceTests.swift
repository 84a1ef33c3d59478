import AmanatTestSupport
import Testing

@testable import AmanatJSON

/// `CanonicalSplice` copies members of canonical objects instead of parsing and encoding them. What it accepts
/// must be exactly what parsing and encoding again would write; these tests hold it to that on random values and
/// on random damage to their bytes.
@Suite("Canonical splice")
struct CanonicalSpliceTests {
    /// Names and strings of every kind that matters: plain, non-ASCII in NFC, not in NFC, needing escapes.
    static let texts = [
        "a", "b", "name", "name_2", "Ä", "é", "e\u{301}", "Қазақ", "Алматы", "维吾尔", "ئۇيغۇر", "", "quote\"d",
        "back\\slash", "line\nbreak", "tab\t", "bell\u{07}", "nul\u{0}", "del\u{7F}", "slash/", "😀", "\u{2028}",
        "ﬁ", "Å", "\u{212B}", "z",
    ]
    static let numbers = ["0", "-0", "12", "-3.25", "1e5", "1E+5", "2.5e-3", "100000000000000000000000"]

    static func randomValue(depth: Int, using generator: inout SplitMix64) -> JSONValue {
        switch Int.random(in: 0..<(depth >= 3 ? 6 : 8), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number(numbers.randomElement(using: &generator)!)
        case 3, 4, 5: return .string(texts.randomElement(using: &generator)! + texts.randomElement(using: &generator)!)
        case 6: return .array((0..<Int.random(in: 0...3, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default: return .object(randomObject(depth: depth + 1, using: &generator))
        }
    }

    static func randomObject(depth: Int, using generator: inout SplitMix64) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            object[texts.randomElement(using: &generator)!] = randomValue(depth: depth, using: &generator)
        }
        return object
    }

    static func members(_ bytes: [UInt8]) -> [CanonicalSplice.Member]? {
        bytes.withUnsafeBufferPointer { CanonicalSplice.members(of: $0) }
    }

    /// Whether no member name anywhere in `value` needs an escape.
    static func namesArePlain(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let members):
            members.allSatisfy { name, value in
                name.nfc.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
                    && namesArePlain(value)
            }
        case .array(let elements): elements.allSatisfy(namesArePlain)
        default: true
        }
    }

    /// Whether parsing `bytes` and encoding the value gives `bytes` back.
    static func roundTrips(_ bytes: [UInt8]) -> Bool {
        guard case .object? = try? JSONParser(maxDepth: 64).parse(bytes) else { return false }
        return (try? JSONParser(maxDepth: 64).parse(bytes))?.canonicalBytes() == bytes
    }

    @Test("canonical objects are accepted, with their members, unless a name has an escape or a text is not cleared")
    func acceptsCanonicalObjects() {
        var generator = SplitMix64(state: 11)
        var accepted = 0
        for _ in 0..<3000 {
            let object = Self.randomObject(depth: 1, using: &generator)
            let bytes = JSONValue.object(object).canonicalBytes()
            guard let members = Self.members(bytes) else {
                // Refused only for what the splice leaves to the parser: a name with an escape, or a text the NFC
                // quick check does not clear (escapes are ASCII, so checking the whole encoding is the same).
                let cleared = bytes.withUnsafeBufferPointer { String.isQuickCheckNFC(bytes: $0) }
                #expect(!(Self.namesArePlain(.object(object)) && cleared), "refused \(String(decoding: bytes, as: UTF8.self))")
                continue
            }
            accepted += 1
            #expect(members.count == object.count)
            let rebuilt = [UInt8]("{".utf8) + members.enumerated().flatMap { position, member in
                (position > 0 ? [UInt8(ascii: ",")] : []) + bytes[member.whole]
            } + [UInt8(ascii: "}")]
            #expect(rebuilt == bytes)
        }
        #expect(accepted > 300, "the common case takes the splice: \(accepted) of 3000")
    }

    @Test("whatever is accepted after random damage parses and encodes to the same bytes")
    func acceptsNothingElse() {
        var generator = SplitMix64(state: 12)
        let interesting: [UInt8] = Array(" \t\n\"\\/{}[]:,.-+eE0aA9ufnbtr".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xCC, 0x81, 0xFF]
        var acceptedDamaged = 0
        for _ in 0..<4000 {
            var bytes = JSONValue.object(Self.randomObject(depth: 1, using: &generator)).canonicalBytes()
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0...bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where position < bytes.count: bytes[position] = interesting.randomElement(using: &generator)!
                case 1: bytes.insert(interesting.randomElement(using: &generator)!, at: position)
                case 2 where position < bytes.count: bytes.remove(at: position)
                default:
                    if position + 1 < bytes.count { bytes.swapAt(position, position + 1) }
                }
            }
            guard Self.members(bytes) != nil else { continue }
            acceptedDamaged += 1
            #expect(Self.roundTrips(bytes), "accepted but not canonical: \(bytes)")
        }
        // Some damage leaves canonical JSON (a changed letter or digit); the check must have met such cases.
        #expect(acceptedDamaged > 100)
    }

    @Test("each way of being not quite canonical is refused", arguments: [
        #"{"a":1 }"#, #"{ "a":1}"#, #"{"a": 1}"#, #"{"a":1,"a":2}"#, #"{"b":1,"a":2}"#, #"{"a":"\/"}"#,
        #"{"a":"\u000A"}"#, #"{"a":"\u001F"}"#, #"{"a":"\u0041"}"#, #"{"a":"\u00e9"}"#, #"{"a":"\n"}x"#,
        "{\"a\":\"\u{0001}\"}", "{\"a\":\"e\u{301}\"}", "{\"e\u{301}\":1}", #"{"a\"b":1}"#, #"{"a":01}"#,
        #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":+1}"#, #"{"a":tru}"#, #"{"a":[1,]}"#, #"[1]"#, #""a""#, "", "{",
        #"{"a":"\ud83d\ude00"}"#,
    ])
    func refuses(_ text: String) {
        #expect(Self.members(Array(text.utf8)) == nil)
    }

    @Test("ill-formed UTF-8 is refused: overlong, surrogate, truncated, stray, beyond U+10FFFF", arguments: [
        [0xC0, 0xAF], [0xC1, 0x81], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xC3], [0xE4, 0xB8], [0x81], [0xF4, 0x90, 0x80, 0x80],
        [0xFF], [0xC3, 0x28],
    ] as [[UInt8]])
    func refusesIllFormedUTF8(_ text: [UInt8]) {
        #expect(Self.members(Array(#"{"a":""#.utf8) + text + Array(#""}"#.utf8)) == nil)
        #expect(Self.members(Array(#"{""#.utf8) + text + Array(#"":1}"#.utf8)) == nil)
        // The same places take well-formed text.
        #expect(Self.members(Array(#"{"a":"é"}"#.utf8)) != nil)
    }

    @Test("nesting beyond the limit is refused, up to it accepted")
    func depth() {
        func nested(_ depth: Int) -> [UInt8] {
            Array((String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)).utf8)
        }
        #expect(Self.members(nested(CanonicalSplice.maxDepth)) != nil)
        #expect(Self.members(nested(CanonicalSplice.maxDepth + 1)) == nil)
    }

    @Test("merged objects equal the canonical encoding of the merged values, the later object winning a name")
    func merge() {
        var generator = SplitMix64(state: 13)
        var merged = 0
        for _ in 0..<1500 {
            let objects = (0..<3).map { _ in Self.randomObject(depth: 1, using: &generator) }
            let encoded = objects.map { JSONValue.object($0).canonicalBytes() }
            var output: [UInt8] = [0x2A]
            let spliced = encoded[0].withUnsafeBufferPointer { a in
                encoded[1].withUnsafeBufferPointer { b in
                    encoded[2].withUnsafeBufferPointer { c in CanonicalSplice.appendMerged([a, b, c], to: &output) }
                }
            }
            guard spliced else {
                #expect(output == [0x2A], "nothing appended when refused")
                #expect(encoded.contains { Self.members($0) == nil })
                continue
            }
            merged += 1
            var expected: [String: JSONValue] = [:]
            for object in objects { expected.merge(object) { $1 } }
            #expect(Array(output.dropFirst()) == JSONValue.object(expected).canonicalBytes())
        }
        #expect(merged > 50)
    }
}

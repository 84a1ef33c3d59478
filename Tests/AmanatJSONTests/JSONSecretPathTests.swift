import AmanatJSON
import Testing

/// `JSONParser.parse(_:secrets:)`: strings at the secret paths are checked but left in the input, their places in
/// the tree taken by "#n".
@Suite struct JSONSecretPathTests {
    static func parse(_ text: String, paths: [[String]]) throws -> (JSONValue, [String]) {
        let bytes = Array(text.utf8)
        var ranges: [Range<Int>] = []
        let value = try bytes.withUnsafeBytes { try JSONParser(maxDepth: 8, secretPaths: paths).parse($0, secrets: &ranges) }
        return (value, ranges.map { String(decoding: bytes[$0], as: UTF8.self) })
    }

    @Test("a string at the path is left in the input, in order; elsewhere the same name is an ordinary string")
    func onlyAtThePath() throws {
        let (value, secrets) = try Self.parse(
            #"{"fields":{"key":"plain"},"attachments":[{"key":"K1"},{"key":"K\u0032","name":"key"}],"key":"top"}"#,
            paths: [["attachments", "key"]]
        )
        #expect(secrets == ["K1", #"K\u0032"#])
        #expect(value == .object([
            "fields": .object(["key": .string("plain")]),
            "attachments": .array([.object(["key": .string("#0")]), .object(["key": .string("#1"), "name": .string("key")])]),
            "key": .string("top"),
        ]))
        let (top, topSecrets) = try Self.parse(#"{"key":"T","v":{"key":"x"}}"#, paths: [["key"]])
        #expect(topSecrets == ["T"])
        #expect(top == .object(["key": .string("#0"), "v": .object(["key": .string("x")])]))
    }

    @Test("a value at the path that is not a string is parsed as usual")
    func otherValues() throws {
        let (value, secrets) = try Self.parse(#"{"key":[1,{"key":"a"}]}"#, paths: [["key"]])
        #expect(secrets.isEmpty)
        #expect(value == .object(["key": .array([.number("1"), .object(["key": .string("a")])])]))
    }

    @Test("a secret string is still checked as JSON", arguments: [
        "{\"key\":\"a\u{1}b\"}", #"{"key":"\x"}"#, #"{"key":"\ud800"}"#, #"{"key":"open}"#, #"{"key":"a","key":"b"}"#,
    ])
    func checked(text: String) {
        #expect(throws: JSONParseError.self) { try Self.parse(text, paths: [["key"]]) }
    }

    @Test("the string length limit holds for secrets too")
    func limit() {
        let bytes = Array(#"{"key":"abcdef"}"#.utf8)
        var ranges: [Range<Int>] = []
        #expect(throws: JSONParseError(kind: .tooLarge, offset: 7)) {
            try bytes.withUnsafeBytes {
                try JSONParser(maxStringBytes: 5, secretPaths: [["key"]]).parse($0, secrets: &ranges)
            }
        }
    }
}

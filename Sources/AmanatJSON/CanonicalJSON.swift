// Canonical JSON: the byte form that is sealed, so it is a normative format. An independent implementation must
// reproduce it; for values without numbers it equals Python's
//     json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
// applied to v with every string and key in NFC. Rules:
// - no whitespace; `null`, `true`, `false`;
// - object members sorted by the UTF-8 bytes of their NFC keys (the same order as code points, which is also
//   Python's `str` order; not UTF-16 order);
// - strings and keys in NFC; `"` and `\` escaped with a backslash; U+0008, U+0009, U+000A, U+000C, U+000D as
//   `\b`, `\t`, `\n`, `\f`, `\r`; other code points below U+0020 as `\u00xx` with lowercase hex; everything else,
//   including `/`, U+007F, non-ASCII and U+2028/U+2029, as raw UTF-8;
// - numbers as their literal text.

extension JSONValue {
    /// The canonical JSON encoding of this value as UTF-8 bytes; the normative rules are at the top of
    /// CanonicalJSON.swift.
    ///
    /// Two values that are equal under `==` and hold the same number literals encode to the same bytes.
    public func canonicalBytes() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        CanonicalJSONEncoder.append(self, to: &output)
        return output
    }

    /// The canonical JSON encoding of this value as a string; see ``canonicalBytes()``.
    public func canonicalString() -> String {
        String(decoding: canonicalBytes(), as: UTF8.self)
    }
}

/// The encoder behind ``JSONValue/canonicalBytes()``, shared with the encoder of validated testimonies
/// (ValidatedTestimony.swift) so that both write scalars, strings and member names alike.
package enum CanonicalJSONEncoder {
    package static func append(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let literal):
            output.append(contentsOf: literal.utf8)
        case .string(let string):
            appendString(string.nfc.utf8, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                append(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            // The format orders keys by their NFC UTF-8 bytes; Swift's `String` ordering is a different contract.
            // Parsed objects never have two keys with the same NFC, but a hand-built one can (see `admitKey` in
            // JSONParser.swift); the original bytes break that tie so the output never depends on hash order.
            let sorted = members
                .map { (key: Array($0.key.nfc.utf8), original: $0.key, value: $0.value) }
                .sorted { lhs, rhs in
                    lhs.key == rhs.key
                        ? lhs.original.utf8.lexicographicallyPrecedes(rhs.original.utf8)
                        : lhs.key.lexicographicallyPrecedes(rhs.key)
                }
            output.append(UInt8(ascii: "{"))
            for (position, member) in sorted.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                appendString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                append(member.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// `name` as a member name is written: quoted, in NFC, escaped, followed by the colon.
    package static func encodedMemberName(_ name: String) -> [UInt8] {
        var output: [UInt8] = []
        appendString(name.nfc.utf8, to: &output)
        output.append(UInt8(ascii: ":"))
        return output
    }

    /// Appends `utf8` as a quoted JSON string. Only ASCII bytes are ever escaped, so working on bytes is exact.
    package static func appendString(_ utf8: some Sequence<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Runs without anything to escape are copied whole: this encoder writes every opened record.
        if utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &output) }) == nil {
            Array(utf8).withUnsafeBufferPointer { appendEscaped($0, to: &output) }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var runStart = 0
        var index = ByteWords.firstEscaped(in: bytes, from: 0)
        while index < bytes.count {
            let byte = bytes[index]
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            runStart = index + 1
            let shortEscape: UInt8? = switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
            case 0x08: UInt8(ascii: "b")
            case 0x09: UInt8(ascii: "t")
            case 0x0A: UInt8(ascii: "n")
            case 0x0C: UInt8(ascii: "f")
            case 0x0D: UInt8(ascii: "r")
            default: nil
            }
            if let shortEscape {
                output.append(UInt8(ascii: "\\"))
                output.append(shortEscape)
            } else {
                output.append(contentsOf: "\\u00".utf8)
                output.append(lowercaseHexDigit(byte >> 4))
                output.append(lowercaseHexDigit(byte & 0x0F))
            }
            index = ByteWords.firstEscaped(in: bytes, from: runStart)
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }

    private static func lowercaseHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// The value of a lowercase hex digit as the encoder writes it in `\u00XX`, nil for any other byte.
    package static func lowercaseHexValue(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

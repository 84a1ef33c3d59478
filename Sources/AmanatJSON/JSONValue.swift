/// A JSON document as produced by ``JSONParser`` and consumed by the canonical encoder.
///
/// Numbers keep their literal text so that no precision is lost or invented between the client's bytes and the
/// sealed canonical form; interpret them where the schema says what they mean.
///
/// Equality follows Swift's `String` equality, so strings and object keys compare by canonical equivalence
/// (`"e\u{301}" == "\u{E9}"`), which matches what ``canonicalBytes()`` emits after NFC normalisation.
/// Number literals compare as text: `.number("1.0") != .number("1")`.
public enum JSONValue: Sendable, Equatable {
    /// The literal `null`.
    case null
    /// The literals `true` and `false`.
    case bool(Bool)
    /// A number, as its literal text from the input, valid under RFC 8259's grammar.
    case number(String)
    /// A string with all escapes decoded.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object. Keys are unique up to canonical equivalence, as Swift's `String` hashing implies.
    case object([String: JSONValue])
}

extension JSONValue {
    /// The member named `key` when this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The payload of `.string`, else `nil`.
    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// The payload of `.bool`, else `nil`.
    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The literal text of `.number`, else `nil`.
    public var numberLiteral: String? {
        guard case .number(let literal) = self else { return nil }
        return literal
    }

    /// The elements of `.array`, else `nil`.
    public var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members of `.object`, else `nil`.
    public var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// Why a testimony does not fit its form.
///
/// The message names the form's own field names (never a name the client sent) and never quotes a
/// submitted value: error texts end up in logs and on volunteers' screens.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The distinct failure kinds; each maps to its own problem type.
    public enum Kind: String, Sendable, Equatable {
        case unknownForm = "unknown-form"
        case notAnObject = "not-an-object"
        case unknownField = "unknown-field"
        case missingField = "missing-field"
        case wrongType = "wrong-type"
        case tooLong = "too-long"
        case tooManyItems = "too-many-items"
        case invalidValue = "invalid-value"
    }

    /// What went wrong.
    public let kind: Kind
    /// The field, as the form names it, with list positions: `relatives[2].relation`. Nil for the whole body.
    public let field: String?
    /// A one-line explanation without submitted content.
    public let detail: String
    /// The form's limit that was exceeded (`max_length`, `max_items`), for clients to put into their own words.
    public let limit: Int?
    /// What the value must be, as one of the words of PROTOCOL.md section 4.1 (`string`, `date`, `choice`, …).
    public let expected: String?
    /// The values of the choice field, when `expected` is `choice`: the form's own, never what was sent.
    public let allowed: [String]?

    /// An error of `kind` about `field`, explained by `detail`, with the structured facts a client may translate.
    public init(
        _ kind: Kind, field: String?, _ detail: String, limit: Int? = nil, expected: String? = nil,
        allowed: [String]? = nil
    ) {
        self.kind = kind
        self.field = field
        self.detail = detail
        self.limit = limit
        self.expected = expected
        self.allowed = allowed
    }

    public var description: String { detail }
}

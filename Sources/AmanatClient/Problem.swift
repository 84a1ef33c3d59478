/// An RFC 9457 problem details object, as `amanatd` sends with `application/problem+json` errors.
public struct Problem: Sendable, Equatable {
    /// A URI reference identifying the problem type; `about:blank` when the member is absent or not a string.
    public var type: String
    /// A short, human-readable summary of the problem type.
    public var title: String?
    /// The HTTP status code the server used for this occurrence.
    public var status: Int?
    /// A human-readable explanation of this occurrence.
    public var detail: String?
    /// amanatd's extension member: the form field a validation problem concerns, such as `relatives[1].name`.
    public var field: String?

    /// Creates a problem from its members.
    public init(type: String = "about:blank", title: String? = nil, status: Int? = nil, detail: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
    }

    /// Decodes a problem details JSON object, or returns nil when `json` is not a well-formed JSON object.
    ///
    /// Members with an unexpected JSON type are treated as absent (RFC 9457 section 3.1) and unknown members are
    /// ignored, so extension members never make decoding fail.
    public init?(json: [UInt8]) {
        guard let members = FlatJSONObject.parse(json) else {
            return nil
        }
        self.init()
        for (key, value) in members {
            switch (key, value) {
            case ("type", .string(let text)): type = text
            case ("title", .string(let text)): title = text
            case ("status", .integer(let number)): status = number
            case ("detail", .string(let text)): detail = text
            case ("field", .string(let text)): field = text
            default: break
            }
        }
    }

    /// The most specific human-readable text available, for an error line.
    public var message: String {
        detail ?? title ?? type
    }
}

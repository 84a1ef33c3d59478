public import AmanatJSON

/// An RFC 9457 problem: the only kind of error that crosses the socket, written by amanatd and read by amanat.
///
/// amanatd's `type` is a stable URN, `urn:amanat:problem:<slug>`; `detail` is for humans and never echoes
/// submitted content. docs/PROTOCOL.md lists every slug.
public struct Problem: Error, Sendable, Equatable {
    /// What amanatd's problem types start with.
    public static let typePrefix = "urn:amanat:problem:"

    /// The problem type's URI; `about:blank` when a document has none.
    public let type: String
    /// The HTTP status; 0 when a document has none.
    public let status: Int
    /// A short summary of the problem type.
    public let title: String
    /// A one-line explanation of this occurrence.
    public let detail: String
    /// The form field concerned, for validation problems (amanatd's extension member).
    public let field: String?
    /// The upload's durable offset, for `mismatching-upload-offset` (extension member `expected_offset`).
    public let expectedOffset: Int?
    /// The limit that was exceeded, for `too-long`, `too-many-items`, `too-deep`, `body-too-large`,
    /// `headers-too-large` and `file-too-large` (extension member `limit`).
    public let limit: Int?
    /// What the value must be, as a word of PROTOCOL.md section 4.1, for `wrong-type` and `invalid-value`
    /// (extension member `expected`): clients put it into words in their own language.
    public let expected: String?
    /// The values a choice field allows, for `invalid-value` with `expected` `choice` (extension member `allowed`).
    public let allowed: [String]?

    /// One of amanatd's problems, of type `urn:amanat:problem:<slug>`.
    public init(
        _ slug: String, status: Int, title: String, detail: String, field: String? = nil, expectedOffset: Int? = nil,
        limit: Int? = nil, expected: String? = nil, allowed: [String]? = nil
    ) {
        self.init(
            type: Self.typePrefix + slug, title: title, status: status, detail: detail, field: field,
            expectedOffset: expectedOffset, limit: limit, expected: expected, allowed: allowed
        )
    }

    /// A problem from its members.
    public init(type: String = "about:blank", title: String = "", status: Int = 0, detail: String = "",
                field: String? = nil, expectedOffset: Int? = nil, limit: Int? = nil, expected: String? = nil,
                allowed: [String]? = nil) {
        self.type = type
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
        self.expectedOffset = expectedOffset
        self.limit = limit
        self.expected = expected
        self.allowed = allowed
    }

    /// The slug of one of amanatd's types (`invalid-json`), else the whole type.
    public var slug: String {
        type.hasPrefix(Self.typePrefix) ? String(type.dropFirst(Self.typePrefix.count)) : type
    }

    /// The most specific text there is, for an error line: the detail, else the title, else the type.
    public var message: String {
        !detail.isEmpty ? detail : !title.isEmpty ? title : type
    }

    /// The `application/problem+json` body.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "type": .string(type), "title": .string(title), "status": .number(String(status)),
            "detail": .string(detail),
        ]
        if let field { object["field"] = .string(field) }
        if let expectedOffset { object["expected_offset"] = .number(String(expectedOffset)) }
        if let limit { object["limit"] = .number(String(limit)) }
        if let expected { object["expected"] = .string(expected) }
        if let allowed { object["allowed"] = .array(allowed.map(JSONValue.string)) }
        return .object(object)
    }

    /// Reads a problem document with the same strict parser amanatd reads bodies with; nil when it is not a JSON
    /// object. Members of an unexpected type count as absent and unknown members are ignored (RFC 9457 §3.1).
    public init?(json bytes: [UInt8]) {
        guard case .object(let members)? = try? JSONParser().parse(bytes) else { return nil }
        func integer(_ name: String) -> Int? {
            if case .number(let text)? = members[name] { Int(text) } else { nil }
        }
        var allowed: [String]?
        if case .array(let items)? = members["allowed"] {
            // One element of the wrong type makes the whole member absent, as a member of the wrong type would be.
            let values = items.compactMap(\.stringValue)
            allowed = values.count == items.count ? values : nil
        }
        self.init(
            type: members["type"]?.stringValue ?? "about:blank", title: members["title"]?.stringValue ?? "",
            status: integer("status") ?? 0, detail: members["detail"]?.stringValue ?? "",
            field: members["field"]?.stringValue, expectedOffset: integer("expected_offset"), limit: integer("limit"),
            expected: members["expected"]?.stringValue, allowed: allowed
        )
    }
}

extension Problem {
    public static func invalidJSON(_ detail: String) -> Problem {
        Problem("invalid-json", status: 400, title: "Invalid JSON", detail: detail)
    }

    public static let invalidEncoding = Problem(
        "invalid-encoding", status: 400, title: "Invalid text encoding", detail: "the body is not valid UTF-8"
    )

    public static func tooDeep(_ limit: Int) -> Problem {
        Problem("too-deep", status: 400, title: "JSON nested too deeply",
                detail: "the body nests arrays or objects deeper than \(limit) levels", limit: limit)
    }

    public static func bodyTooLarge(_ limit: Int) -> Problem {
        Problem("body-too-large", status: 413, title: "Body too large",
                detail: "the body is larger than the limit of \(limit) bytes", limit: limit)
    }

    public static func headersTooLarge(_ limit: Int) -> Problem {
        Problem("headers-too-large", status: 431, title: "Request headers too large",
                detail: "the request headers are larger than the limit of \(limit) bytes", limit: limit)
    }

    public static let unsupportedMediaType = Problem(
        "unsupported-media-type", status: 415, title: "Unsupported media type",
        detail: "send the body as Content-Type: application/json"
    )

    public static let forbidden = Problem(
        "forbidden", status: 403, title: "Forbidden",
        detail: "this user may not use amanatd; ask an admin to add you to a submitter group"
    )

    public static let adminOnly = Problem(
        "forbidden", status: 403, title: "Forbidden", detail: "this endpoint is for members of an admin group"
    )

    public static let notFound = Problem("not-found", status: 404, title: "Not found", detail: "no such endpoint")

    public static func methodNotAllowed(_ allowed: String) -> Problem {
        Problem("method-not-allowed", status: 405, title: "Method not allowed",
                detail: "this endpoint allows \(allowed)")
    }

    public static let unknownForm = Problem(
        "unknown-form", status: 404, title: "Unknown form", detail: "there is no form with that id"
    )

    public static let diskFull = Problem(
        "storage-full", status: 507, title: "Storage full",
        detail: "the intake host is out of disk space; nothing was stored, try again later"
    )

    public static let unavailable = Problem(
        "unavailable", status: 503, title: "Service unavailable",
        detail: "amanatd is shutting down or overloaded; nothing was stored, try again"
    )

    public static let tooManyConnections = Problem(
        "too-many-connections", status: 503, title: "Too many connections",
        detail: "amanatd has reached its connection limit; try again shortly"
    )

    public static let tooManyInFlight = Problem(
        "too-many-in-flight", status: 503, title: "Too many requests in flight",
        detail: "this user has too many requests in progress; nothing was stored, try again shortly"
    )

    public static let tooManySubmissions = Problem(
        "too-many-submissions", status: 429, title: "Too many submissions",
        detail: "this user has submitted too many testimonies in the last minute; nothing was stored, try again shortly"
    )

    public static let internalError = Problem(
        "internal", status: 500, title: "Internal error",
        detail: "amanatd could not process the request; nothing was stored"
    )

    public static let requestTimeout = Problem(
        "request-timeout", status: 408, title: "Request timeout", detail: "the request was not received in time"
    )

    public static let badRequest = Problem(
        "bad-request", status: 400, title: "Bad request", detail: "the request is not valid HTTP/1.1"
    )
}

public import AmanatJSON

/// An RFC 9457 problem: the only kind of error that crosses the socket.
///
/// `type` is a stable URN, `urn:amanat:problem:<slug>`; `detail` is for humans and never echoes
/// submitted content. docs/PROTOCOL.md lists every slug.
public struct Problem: Error, Sendable, Equatable {
    /// The stable slug, e.g. `invalid-json`.
    public let slug: String
    /// The HTTP status.
    public let status: Int
    /// A short summary of the problem type.
    public let title: String
    /// A one-line explanation of this occurrence.
    public let detail: String
    /// The form field concerned, for validation problems.
    public let field: String?

    /// A problem.
    public init(_ slug: String, status: Int, title: String, detail: String, field: String? = nil) {
        self.slug = slug
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
    }

    /// The problem's `type` URI.
    public var type: String { "urn:amanat:problem:\(slug)" }

    /// The `application/problem+json` body.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "type": .string(type), "title": .string(title), "status": .number(String(status)),
            "detail": .string(detail),
        ]
        if let field { object["field"] = .string(field) }
        return .object(object)
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
                detail: "the body nests arrays or objects deeper than \(limit) levels")
    }

    public static func bodyTooLarge(_ limit: Int) -> Problem {
        Problem("body-too-large", status: 413, title: "Body too large",
                detail: "the body is larger than the limit of \(limit) bytes")
    }

    public static func headersTooLarge(_ limit: Int) -> Problem {
        Problem("headers-too-large", status: 431, title: "Request headers too large",
                detail: "the request headers are larger than the limit of \(limit) bytes")
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

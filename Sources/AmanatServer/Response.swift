import AmanatJSON
import AmanatProtocol

/// A response before it is put on the wire.
public struct Response: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The content type.
    public var contentType: String
    /// The body.
    public var body: [UInt8]
    /// Extra headers.
    public var headers: [(String, String)] = []
    /// A file sent as the body instead of `body`, streamed.
    public var bodyFile: (path: String, size: Int)?
    /// Called once the response is sent or has failed: an export's snapshot is removed here.
    public var whenDone: (@Sendable () -> Void)?

    static func json(_ status: Int, _ value: JSONValue) -> Response {
        Response(status: status, contentType: "application/json", body: value.canonicalBytes())
    }

    /// 204 with `headers` and no body (nor Content-Type or Content-Length, RFC 9110 section 8.6).
    static func noContent(_ headers: [(String, String)]) -> Response {
        var response = Response(status: 204, contentType: "", body: [])
        response.headers = headers
        return response
    }

    static func problem(_ problem: Problem) -> Response {
        Response(status: problem.status, contentType: "application/problem+json", body: problem.json.canonicalBytes())
    }

    static func tooManySubmissions(perMinute: Int) -> Response {
        var response = problem(.tooManySubmissions)
        response.headers.append(("Retry-After", String(max(1, (60 + perMinute - 1) / perMinute))))
        return response
    }

    static func methodNotAllowed(_ allowed: String) -> Response {
        var response = problem(.methodNotAllowed(allowed))
        response.headers.append(("Allow", allowed))
        return response
    }
}

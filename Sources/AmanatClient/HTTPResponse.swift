public import AmanatProtocol

/// A complete HTTP response from `amanatd`, with its body fully read.
public struct HTTPResponse: Sendable {
    /// The status code, 100 through 599.
    public var status: Int
    /// Header fields in the order received, names spelled as received; see `value(forHeader:)`.
    public var headers: [(name: String, value: String)]
    /// The body with any chunked framing removed.
    public var body: [UInt8]

    /// Creates a response, mainly for tests of code that consumes responses.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// True for 2xx statuses.
    public var isSuccess: Bool {
        (200..<300).contains(status)
    }

    /// The first value of the named header, matching the name case-insensitively, or nil when absent.
    public func value(forHeader name: String) -> String? {
        headers.first { asciiCaseInsensitiveEquals($0.name, name) }?.value
    }

    /// Every value of the named header, in the order received, matching the name case-insensitively.
    public func values(forHeader name: String) -> [String] {
        headers.filter { asciiCaseInsensitiveEquals($0.name, name) }.map(\.value)
    }

    /// The lowercased media type of `Content-Type` without parameters, e.g. `application/json`.
    public var mediaType: String? {
        guard let contentType = value(forHeader: "Content-Type") else {
            return nil
        }
        let type = contentType.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" }
        return type.isEmpty ? nil : type.lowercased()
    }

    /// Parses an RFC 9457 problem+json body when Content-Type is application/problem+json.
    ///
    /// Nil for any other media type, or when the body is not a JSON object.
    public var problem: Problem? {
        guard mediaType == "application/problem+json" else {
            return nil
        }
        return Problem(json: body)
    }
}

/// Field names are ASCII tokens, so ASCII folding is both sufficient and locale-proof.
private func asciiCaseInsensitiveEquals(_ lhs: String, _ rhs: String) -> Bool {
    func folded(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
    return lhs.utf8.count == rhs.utf8.count && zip(lhs.utf8, rhs.utf8).allSatisfy { folded($0) == folded($1) }
}

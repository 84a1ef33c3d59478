import NIOHTTP1

/// A blocking HTTP/1.1 client for `amanatd`'s Unix domain socket, one request per connection.
///
/// The value only holds configuration, so it can be shared freely; each `request` opens, uses and closes its
/// own connection. The transport underneath is SwiftNIO (``ClientChannel``): a Unix socket or an ssh tunnel's
/// pipes, NIOHTTP1's codec, and a single-thread event loop per connection; the calls here block until it answers.
public struct UnixHTTPClient: Sendable {
    /// The filesystem path of `amanatd`'s listening socket.
    public let socketPath: String
    /// The limit in seconds for a whole exchange, from connecting to the last body byte; zero or less waits forever.
    public let timeoutSeconds: Int

    /// When set, each exchange runs over this command's standard input and output instead of the local socket:
    /// an ssh running `amanat dial-stdio` on the intake host (``SSHDestination/commandLine(sshCommand:)``).
    public let tunnel: [String]?

    /// Creates a client for the socket at `socketPath`, or for the intake host reached by `tunnel`; no connection
    /// is made until `request` is called.
    public init(socketPath: String, timeoutSeconds: Int = 60, tunnel: [String]? = nil) {
        self.socketPath = socketPath
        self.timeoutSeconds = timeoutSeconds
        self.tunnel = tunnel
    }

    /// A connection: to the local socket, or through the tunnel.
    func connect(deadline: Deadline) throws(ClientError) -> ClientChannel {
        try ClientChannel.open(socketPath: socketPath, tunnel: tunnel, deadline: deadline)
    }

    /// Sends one request and reads the complete response.
    ///
    /// - Parameters:
    ///   - method: An HTTP method token such as `GET` or `POST`.
    ///   - path: The origin-form request target, starting with `/`, already percent-encoded.
    ///   - body: The request body; when non-nil, `Content-Type` and `Content-Length` are sent with it.
    ///   - contentType: The media type of `body`; ignored when `body` is nil.
    /// - Returns: The response, whatever its status; 4xx and 5xx responses are not errors at this level.
    /// - Throws: `ClientError` when the request cannot be sent or no well-formed response arrives in time.
    ///   - headers: More header fields, such as `Upload-Length`; names must be tokens and values visible ASCII.
    public func request(
        method: String,
        path: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) throws(ClientError) -> HTTPResponse {
        try exchange(method: method, path: path, headers: headers, body: body, contentType: contentType, sink: nil)
    }

    /// Sends one request; a `200 OK` body with a Content-Length goes to `sink` piece by piece, whatever its
    /// size, and is not kept in the returned response. Other answers are read whole, as by ``request(method:path:body:contentType:)``.
    public func download(
        method: String,
        path: String,
        to sink: (ArraySlice<UInt8>) throws(ClientError) -> Void
    ) throws(ClientError) -> HTTPResponse {
        try withoutActuallyEscaping(sink) { (sink) throws(ClientError) in
            try exchange(
                method: method, path: path, headers: [], body: nil, contentType: "application/json", sink: sink
            )
        }
    }

    private func exchange(
        method: String, path: String, headers: [(name: String, value: String)], body: [UInt8]?, contentType: String,
        sink: ((ArraySlice<UInt8>) throws(ClientError) -> Void)?
    ) throws(ClientError) -> HTTPResponse {
        let head = try Self.requestHead(
            method: method, path: path, headers: headers, bodyLength: body.map { UInt64($0.count) },
            contentType: contentType
        )
        let deadline = Deadline(seconds: timeoutSeconds)
        let connection = try connect(deadline: deadline)
        defer { connection.close() }
        connection.sendHead(head, streaming: sink != nil)
        if let body, !body.isEmpty { body.withUnsafeBytes { connection.sendBody($0) } }
        connection.sendEnd()
        // No half-close after sending: some servers treat it as an abort and drop the response.
        return try connection.receive(deadline: deadline, sink: sink)
    }

    /// The request line and header section, validated so no argument can inject extra lines.
    static func requestHead(
        method: String,
        path: String,
        body: [UInt8]?,
        contentType: String,
        keepAlive: Bool = false
    ) throws(ClientError) -> HTTPRequestHead {
        try requestHead(
            method: method, path: path, headers: [], bodyLength: body.map { UInt64($0.count) },
            contentType: contentType, keepAlive: keepAlive
        )
    }

    /// The request line and header section for a body of `bodyLength` bytes (none when nil), with `headers` after
    /// the fixed ones.
    static func requestHead(
        method: String,
        path: String,
        headers: [(name: String, value: String)],
        bodyLength: UInt64?,
        contentType: String,
        keepAlive: Bool = false
    ) throws(ClientError) -> HTTPRequestHead {
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else {
            throw ClientError(.invalidRequest(reason: "bad method \"\(method)\""))
        }
        // Visible ASCII only: spaces, controls and raw non-ASCII must already be percent-encoded.
        guard path.hasPrefix("/"), path.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw ClientError(.invalidRequest(reason: "bad path \"\(path)\""))
        }
        // NIO's encoder writes the fields in this order, each as "Name: value", exactly as given.
        var fields: [(String, String)] = [("Host", "amanat"), ("User-Agent", "amanat/0.1")]
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw ClientError(.invalidRequest(reason: "bad header name \"\(name)\""))
            }
            guard isFieldValue(value) else {
                throw ClientError(.invalidRequest(reason: "bad value for header \(name)"))
            }
            fields.append((name, value))
        }
        if let bodyLength {
            guard !contentType.isEmpty, isFieldValue(contentType) else {
                throw ClientError(.invalidRequest(reason: "bad content type \"\(contentType)\""))
            }
            fields.append(("Content-Type", contentType))
            fields.append(("Content-Length", String(bodyLength)))
        } else if ["POST", "PUT", "PATCH"].contains(method) {
            // Without a length NIO would frame these methods' (empty) body as chunked; amanatd expects a length.
            fields.append(("Content-Length", "0"))
        }
        // HTTP/1.1 keeps the connection open unless a side says otherwise.
        if !keepAlive { fields.append(("Connection", "close")) }
        return HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: method), uri: path, headers: HTTPHeaders(fields)
        )
    }

    /// Tab and visible ASCII with spaces: no CR or LF that could start another header line.
    private static func isFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || (0x20...0x7E).contains($0) }
    }
}

/// `tchar` from RFC 9110 section 5.6.2.
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
         UInt8(ascii: "0")...UInt8(ascii: "9"),
         UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
         UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
         UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        true
    default:
        false
    }
}

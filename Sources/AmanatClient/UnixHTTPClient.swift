/// A blocking HTTP/1.1 client for `amanatd`'s Unix domain socket, one request per connection.
///
/// The value only holds configuration, so it can be shared freely; each `request` opens, uses and closes its
/// own socket.
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

    /// A connected socket: the local one, or the tunnel's end.
    func connect() throws(ClientError) -> UnixSocket {
        let deadline = Deadline(seconds: timeoutSeconds)
        if let tunnel { return try UnixSocket.tunnel(tunnel, deadline: deadline) }
        let address = try UnixSocketAddress.make(path: socketPath)
        return try UnixSocket.connect(to: address, path: socketPath, deadline: deadline)
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
        let socket = try connect()

        let sendError = try socket.sendRequest(head: head, body: body)
        // No shutdown(SHUT_WR) after sending: some servers treat a half-close as an abort and drop the response.
        var reader = ResponseReader(source: socket)
        do throws(ClientError) {
            return try reader.readResponse(requestMethod: method, streamingTo: sink)
        } catch {
            throw sendError ?? error
        }
    }

    /// The request line and header section, validated so no argument can inject extra lines.
    static func requestHead(
        method: String,
        path: String,
        body: [UInt8]?,
        contentType: String,
        keepAlive: Bool = false
    ) throws(ClientError) -> [UInt8] {
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
    ) throws(ClientError) -> [UInt8] {
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else {
            throw ClientError(.invalidRequest(reason: "bad method \"\(method)\""))
        }
        // Visible ASCII only: spaces, controls and raw non-ASCII must already be percent-encoded.
        guard path.hasPrefix("/"), path.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw ClientError(.invalidRequest(reason: "bad path \"\(path)\""))
        }
        var head = "\(method) \(path) HTTP/1.1\r\n"
        head += "Host: amanat\r\n"
        head += "User-Agent: amanat/0.1\r\n"
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw ClientError(.invalidRequest(reason: "bad header name \"\(name)\""))
            }
            guard isFieldValue(value) else {
                throw ClientError(.invalidRequest(reason: "bad value for header \(name)"))
            }
            head += "\(name): \(value)\r\n"
        }
        if let bodyLength {
            guard !contentType.isEmpty, isFieldValue(contentType) else {
                throw ClientError(.invalidRequest(reason: "bad content type \"\(contentType)\""))
            }
            head += "Content-Type: \(contentType)\r\n"
            head += "Content-Length: \(bodyLength)\r\n"
        }
        // HTTP/1.1 keeps the connection open unless a side says otherwise.
        head += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
        return Array(head.utf8)
    }

    /// Tab and visible ASCII with spaces: no CR or LF that could start another header line.
    private static func isFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || (0x20...0x7E).contains($0) }
    }
}

extension UnixSocket {
    /// Sends a request's head, then its body (separately, so a large body is never copied just to prepend a
    /// few lines). A lost connection is returned rather than thrown: the daemon may reject a request (say, 413)
    /// and close before reading all of it, and its answer, still in the receive queue, says more than
    /// "broken pipe". The caller reads the answer and throws this only if there is none.
    func sendRequest(head: [UInt8], body: [UInt8]?) throws(ClientError) -> ClientError? {
        do throws(ClientError) {
            try sendAll(head)
            if let body, !body.isEmpty { try sendAll(body) }
            return nil
        } catch where error.kind == .connectionLost {
            return error
        }
    }
}

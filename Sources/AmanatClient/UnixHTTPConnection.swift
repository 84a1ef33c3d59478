/// A blocking HTTP/1.1 client for `amanatd`'s Unix domain socket that keeps its connection open between
/// requests (HTTP keep-alive), as a web front end or a long-running tool would.
///
/// Requests go out one at a time on one connection; a response that says `Connection: close`, or any error,
/// closes it, and the next request opens a new one. A request that fails is not retried: a POST may have
/// taken effect before the connection broke. Not for sharing between threads: give each thread its own.
public final class UnixHTTPConnection {
    /// The filesystem path of `amanatd`'s listening socket.
    public let socketPath: String
    /// The limit in seconds for each exchange, from sending the request (or connecting) to the last body
    /// byte; zero or less waits forever.
    public let timeoutSeconds: Int

    private var connection: ClientChannel?

    /// Creates a connection for the socket at `socketPath`; nothing is opened until `request` is called.
    public init(socketPath: String, timeoutSeconds: Int = 60) {
        self.socketPath = socketPath
        self.timeoutSeconds = timeoutSeconds
    }

    /// Whether a connection is open now (it may still have been closed by the daemon meanwhile).
    public var isOpen: Bool { connection != nil }

    /// Closes the connection, if one is open.
    public func close() {
        connection?.close()
        connection = nil
    }

    /// Sends one request on the open connection (opening one first if needed) and reads the complete response.
    ///
    /// - Parameters: as for ``UnixHTTPClient/request(method:path:body:contentType:)``.
    /// - Returns: The response, whatever its status; 4xx and 5xx responses are not errors at this level.
    /// - Throws: `ClientError` when the request cannot be sent or no well-formed response arrives in time; the
    ///   connection is closed then.
    public func request(
        method: String,
        path: String,
        body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) throws(ClientError) -> HTTPResponse {
        let head = try UnixHTTPClient.requestHead(
            method: method, path: path, body: body, contentType: contentType, keepAlive: true
        )
        let deadline = Deadline(seconds: timeoutSeconds)
        let connection: ClientChannel
        if let open = self.connection {
            connection = open
        } else {
            connection = try ClientChannel.open(socketPath: socketPath, tunnel: nil, deadline: deadline)
            self.connection = connection
        }
        do throws(ClientError) {
            connection.sendHead(head, streaming: false)
            if let body, !body.isEmpty { body.withUnsafeBytes { connection.sendBody($0) } }
            connection.sendEnd()
            let response = try connection.receive(deadline: deadline)
            let sendFailure = connection.state.update { $0.writeFailure }
            if sendFailure != nil || Self.closes(response) { close() }
            return response
        } catch {
            close()
            throw error
        }
    }

    /// Whether the connection ends after `response`: the server said `Connection: close`, or the body had
    /// no length and so ran to the end of the connection.
    static func closes(_ response: HTTPResponse) -> Bool {
        let saysClose = response.values(forHeader: "Connection").contains { value in
            value.split(separator: ",").contains { option in
                option.filter { $0 != " " && $0 != "\t" }.lowercased() == "close"
            }
        }
        let framed = response.value(forHeader: "Content-Length") != nil
            || response.value(forHeader: "Transfer-Encoding") != nil
        return saysClose || !framed
    }
}

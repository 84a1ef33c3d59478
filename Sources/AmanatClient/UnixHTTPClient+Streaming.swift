import NIOCore

/// Why a streamed request failed: the exchange with amanatd, or the code that produced the body.
public enum StreamingRequestError<BodyFailure: Error>: Error {
    /// The request could not be sent, or no well-formed answer came back.
    case client(ClientError)
    /// The body's producer threw: the connection was closed with the body cut short.
    case body(BodyFailure)
}

/// The sink a streamed request body is written to: pieces go to the socket as they are given, so the body is never
/// whole in memory. It takes exactly the `Content-Length` announced in the head.
public final class RequestBodyWriter {
    /// The length announced in the head.
    public let length: UInt64
    /// The bytes taken so far (the last batch's go to the socket once it is full, or at the body's end).
    public private(set) var written: UInt64 = 0
    /// Set when the connection broke: later pieces are dropped, and the exchange looks for an early answer.
    public private(set) var failure: ClientError?

    private let connection: ClientChannel
    private let timeoutSeconds: Int
    /// Pieces not yet handed to the channel.
    private var batch: ByteBuffer

    static let batchBytes = 256 << 10

    init(connection: ClientChannel, length: UInt64, timeoutSeconds: Int) {
        self.connection = connection
        self.length = length
        self.timeoutSeconds = timeoutSeconds
        batch = connection.allocator.buffer(capacity: Self.batchBytes)
    }

    /// Sends `piece`; false once the connection has broken (amanatd may have answered early and closed, or gone),
    /// when the producer should stop. A piece past the announced length is a programming error.
    ///
    /// Pieces are copied into a batch of up to ``batchBytes``, which goes to the channel when full and at the
    /// body's last byte: one hand-over to the event loop per batch, not per piece. Once more than a few batches
    /// wait to be written, this waits for the oldest to go out, so a slow connection holds back the producer
    /// instead of filling memory.
    @discardableResult
    public func write(_ piece: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil else { return false }
        precondition(UInt64(piece.count) <= length - written, "request body longer than its Content-Length")
        guard !piece.isEmpty else { return true }
        batch.writeBytes(piece)
        written += UInt64(piece.count)
        guard batch.readableBytes >= Self.batchBytes || written == length else { return true }
        connection.sendBody(batch)
        batch = connection.allocator.buffer(capacity: Self.batchBytes)
        // The timeout bounds each wait for room to send, not the whole body: a 4 GiB file takes its time.
        do throws(ClientError) {
            let deadline = Deadline(seconds: timeoutSeconds)
            if let broken = try connection.waitForWrites(atMost: ClientChannel.maxWritesInFlight, deadline: deadline) {
                failure = broken
                return false
            }
        } catch {
            failure = error
            return false
        }
        return true
    }

    /// Sends `piece`; see ``write(_:)-(UnsafeRawBufferPointer)``.
    @discardableResult
    public func write(_ piece: [UInt8]) -> Bool {
        piece.withUnsafeBytes { write($0) }
    }
}

extension UnixHTTPClient {
    /// Sends one request whose body `produce` writes piece by piece to a ``RequestBodyWriter`` (the
    /// `Content-Length` is `contentLength`, known up front), then reads the answer.
    ///
    /// `timeoutSeconds` bounds each wait (for room to send a piece, and for the answer after the last one), not the
    /// whole exchange. When the connection breaks while the body is sent, the writer says so and the answer already
    /// sent by amanatd (a refusal before it read the body) is returned if there is one.
    ///
    /// - Returns: The response, whatever its status.
    /// - Throws: `.body` with what `produce` threw (the connection is closed, the body cut short); `.client` when
    ///   the request cannot be sent, or no answer comes back; a body that ends short of `contentLength` is
    ///   `.client` with an invalid-request error.
    public func request<BodyFailure: Error>(
        method: String,
        path: String,
        headers: [(name: String, value: String)] = [],
        contentType: String,
        contentLength: UInt64,
        produce: (RequestBodyWriter) throws(BodyFailure) -> Void
    ) throws(StreamingRequestError<BodyFailure>) -> HTTPResponse {
        let connection: ClientChannel
        do throws(ClientError) {
            let head = try Self.requestHead(
                method: method, path: path, headers: headers, bodyLength: contentLength, contentType: contentType
            )
            connection = try connect(deadline: Deadline(seconds: timeoutSeconds))
            connection.sendHead(head, streaming: false)
        } catch {
            throw .client(error)
        }
        defer { connection.close() }
        let writer = RequestBodyWriter(connection: connection, length: contentLength, timeoutSeconds: timeoutSeconds)
        do throws(BodyFailure) {
            try produce(writer)
        } catch {
            throw .body(error)
        }
        if writer.failure == nil && writer.written != contentLength {
            throw .client(ClientError(.invalidRequest(
                reason: "the body ended after \(writer.written) of \(contentLength) bytes"
            )))
        }
        if writer.failure == nil { connection.sendEnd() }
        do throws(ClientError) {
            return try connection.receive(deadline: Deadline(seconds: timeoutSeconds))
        } catch {
            throw .client(writer.failure ?? error)
        }
    }
}

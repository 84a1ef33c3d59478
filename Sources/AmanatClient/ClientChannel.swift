import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix

/// One connection to amanatd over SwiftNIO: a Unix socket (`ClientBootstrap`) or the standard input and output of
/// an ssh tunnel (`NIOPipeBootstrap`), with NIOHTTP1's codec and a ``ResponseCollector``. Its single-thread event
/// loop group is its own and is shut down by ``close()``; the blocking calls below wait on ``ExchangeState``.
final class ClientChannel {
    /// At most this many request body pieces are handed to the channel and not yet written: the backpressure
    /// that keeps a streamed body out of memory.
    static let maxWritesInFlight = 4

    let state: ExchangeState
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The ssh process at the other end of a tunnel, reaped when the connection closes.
    private let child: pid_t?
    private var closed = false

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, child: pid_t?, state: ExchangeState) {
        self.group = group
        self.channel = channel
        self.child = child
        self.state = state
    }

    deinit {
        close()
    }

    /// Connects to the socket at `socketPath`, or starts `tunnel` and speaks over its standard input and output.
    static func open(socketPath: String, tunnel: [String]?, deadline: Deadline) throws(ClientError) -> ClientChannel {
        if tunnel == nil { _ = try UnixSocketAddress.make(path: socketPath) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = ExchangeState()
        var child: pid_t?
        do throws(ClientError) {
            let future: EventLoopFuture<any Channel>
            if let tunnel {
                let (descriptor, pid) = try spawnTunnel(tunnel)
                child = pid
                future = NIOPipeBootstrap(group: group)
                    .channelOption(.autoRead, value: false)
                    .channelInitializer { channel in addHandlers(to: channel, state: state) }
                    .takingOwnershipOfDescriptor(inputOutput: descriptor)
            } else {
                var bootstrap = ClientBootstrap(group: group)
                    .channelOption(.autoRead, value: false)
                    .channelInitializer { channel in addHandlers(to: channel, state: state) }
                if deadline.seconds > 0 { bootstrap = bootstrap.connectTimeout(.seconds(Int64(deadline.seconds))) }
                future = bootstrap.connect(unixDomainSocketPath: socketPath)
            }
            let channel: any Channel
            do {
                channel = try future.wait()
            } catch {
                throw connectError(error, path: socketPath, seconds: deadline.seconds)
            }
            return ClientChannel(group: group, channel: channel, child: child, state: state)
        } catch {
            try? group.syncShutdownGracefully()
            if let child { reap(child) }
            throw error
        }
    }

    private static func addHandlers(to channel: any Channel, state: ExchangeState) -> EventLoopFuture<Void> {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = ResponseCollector.maxHeaderBytes
        limits.maxHeaderFieldSize = ResponseCollector.maxHeaderBytes
        return channel.pipeline.addHTTPClientHandlers(decoderLimitConfiguration: limits).flatMapThrowing {
            try channel.pipeline.syncOperations.addHandler(ResponseCollector(state: state))
        }
    }

    private static func connectError(_ error: any Error, path: String, seconds: Int) -> ClientError {
        let code: Int32
        switch error {
        case let error as IOError: code = error.errnoCode
        case let error as ChannelError:
            if case .connectTimeout = error { return ClientError(.timedOut(seconds: seconds)) }
            return ClientError(.connectFailed(path: path, errno: EIO))
        case let error as ClientError: return error
        default: return ClientError(.connectFailed(path: path, errno: EIO))
        }
        switch code {
        case ENOENT: return ClientError(.socketMissing(path: path))
        case EACCES, EPERM: return ClientError(.permissionDenied(path: path))
        case ECONNREFUSED: return ClientError(.connectionRefused(path: path))
        default: return ClientError(.connectFailed(path: path, errno: code))
        }
    }

    // MARK: - Sending

    /// Starts a request: resets what the last answer left and sends the head (validated by the caller).
    func sendHead(_ head: HTTPRequestHead, streaming: Bool) {
        state.update { fields in
            // A kept-alive connection's last writes may still be completing; their count and failure stay.
            var next = ExchangeState.Fields()
            next.writesInFlight = fields.writesInFlight
            next.writeFailure = fields.writeFailure
            fields = next
            fields.method = head.method.rawValue
            fields.streaming = streaming
        }
        send(.head(head))
    }

    /// Hands `bytes` to the channel; the write's outcome is counted in ``ExchangeState``.
    func sendBody(_ bytes: UnsafeRawBufferPointer) {
        send(.body(.byteBuffer(channel.allocator.buffer(bytes: bytes))))
    }

    /// Sends `buffer` as the next piece of the request's body.
    func sendBody(_ buffer: ByteBuffer) {
        send(.body(.byteBuffer(buffer)))
    }

    /// The channel's allocator, for a body's batches.
    var allocator: ByteBufferAllocator { channel.allocator }

    func sendEnd() {
        send(.end(nil))
    }

    private func send(_ part: HTTPClientRequestPart) {
        state.update { $0.writesInFlight += 1 }
        channel.writeAndFlush(part).whenComplete { [state] result in
            state.update { fields in
                fields.writesInFlight -= 1
                if case .failure(let error) = result, fields.writeFailure == nil {
                    fields.writeFailure = ResponseCollector.clientError(error)
                }
            }
        }
    }

    /// Waits until no more than `limit` writes are in flight; returns the first write failure, if any.
    func waitForWrites(atMost limit: Int, deadline: Deadline) throws(ClientError) -> ClientError? {
        try state.wait(
            until: { $0.writesInFlight <= limit || $0.writeFailure != nil }, deadline: deadline, take: { $0.writeFailure }
        )
    }

    // MARK: - Receiving

    /// Waits for the answer's head and then its body; a 200 body goes to `sink` piece by piece when given (and the
    /// request was sent as streaming), otherwise into the response. A failure to send is thrown only when no
    /// answer arrived: amanatd may refuse a request (413) and close before reading all of it.
    func receive(
        deadline: Deadline, sink: ((ArraySlice<UInt8>) throws(ClientError) -> Void)? = nil
    ) throws(ClientError) -> HTTPResponse {
        let head = try state.wait(
            until: { $0.head != nil || $0.failure != nil }, deadline: deadline,
            take: { fields -> Result<HTTPResponseHead, ClientError> in
                if let head = fields.head { return .success(head) }
                return .failure(fields.writeFailure ?? fields.failure!)
            }
        ).get()
        var response = HTTPResponse(
            status: Int(head.status.code), headers: head.headers.map { (name: $0.name, value: trimmed($0.value)) }
        )
        let streams = sink != nil && response.status == 200
        while true {
            let (pieces, resume, done) = try state.wait(
                until: { !$0.pieces.isEmpty || $0.ended || $0.failure != nil }, deadline: deadline,
                take: { fields -> Result<([ByteBuffer], Bool, Bool), ClientError> in
                    let pieces = fields.pieces
                    fields.pieces = []
                    fields.queuedBytes = 0
                    let resume = fields.readingPaused
                    fields.readingPaused = false
                    if pieces.isEmpty, !fields.ended, let failure = fields.failure { return .failure(failure) }
                    return .success((pieces, resume, fields.ended))
                }
            ).get()
            if resume { channel.read() }
            for piece in pieces {
                if streams, let sink {
                    try sink(ArraySlice(piece.readableBytesView))
                } else {
                    response.body.append(contentsOf: piece.readableBytesView)
                }
            }
            if done && pieces.isEmpty { return response }
        }
    }

    // MARK: - Closing

    /// Closes the connection, stops the event loop's thread, and waits for a tunnel's ssh. Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
        if let child { Self.reap(child) }
    }
}

/// A field value without the optional whitespace around it (RFC 9110 section 5.5), which NIOHTTP1 keeps at the end.
private func trimmed(_ value: String) -> String {
    let isWhitespace = { (character: Character) in character == " " || character == "\t" }
    guard let first = value.firstIndex(where: { !isWhitespace($0) }),
          let last = value.lastIndex(where: { !isWhitespace($0) }) else { return "" }
    return String(value[first...last])
}

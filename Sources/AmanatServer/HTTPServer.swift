public import AmanatIntake
import AmanatProtocol
public import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import Synchronization
public import ServiceLifecycle
import Glibc

/// amanatd's HTTP/1.1 server on a Unix stream socket, as a service of the daemon's ServiceGroup.
public final class HTTPServer: Service, Sendable {
    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let core: IntakeCore
    private let authenticator: any Authenticator
    private let configuration: ServerConfiguration
    private let logger: Logger
    private let shares: PeerShares
    private let limiter: SubmissionRateLimiter
    /// Checks before uploads (`POST /v1/testimonies/check`): the same rate, their own buckets.
    private let checkLimiter: SubmissionRateLimiter
    private let notifier: SystemdNotifier
    /// Set when graceful shutdown begins: answers from then on say `Connection: close`, as the connection will be.
    private let stopping = Atomic(false)

    /// A server for `core`, under `configuration`'s socket and limits. It tells systemd (`$NOTIFY_SOCKET`) when it
    /// is ready and when it stops.
    public init(
        core: IntakeCore, authenticator: any Authenticator, configuration: ServerConfiguration, logger: Logger,
        notifier: SystemdNotifier = SystemdNotifier()
    ) {
        self.core = core
        self.authenticator = authenticator
        self.configuration = configuration
        self.logger = logger
        self.shares = PeerShares(PeerShares.Caps(
            connections: configuration.limits.maxConnections,
            connectionsPerPeer: configuration.limits.maxConnectionsPerPeer,
            requestsPerPeer: configuration.limits.maxRequestsPerPeer
        ))
        self.limiter = SubmissionRateLimiter(perMinute: configuration.limits.submissionsPerMinute)
        self.checkLimiter = SubmissionRateLimiter(perMinute: configuration.limits.submissionsPerMinute)
        self.notifier = notifier
    }

    /// Binds the socket, serves until graceful shutdown, and lets requests in flight (and their commits) finish.
    public func run() async throws {
        let limits = configuration.limits
        let path = configuration.socketPath
        let lengths = ConnectionDeadlines.Lengths(
            idle: .seconds(Int64(limits.idleTimeoutSeconds)), request: .seconds(Int64(limits.requestTimeoutSeconds)),
            answer: .seconds(Int64(limits.answerTimeoutSeconds)), stop: .seconds(Int64(limits.stopTimeoutSeconds)),
            uploadStall: .seconds(Int64(limits.uploadStallTimeoutSeconds))
        )
        let initialiser: @Sendable (any Channel) -> EventLoopFuture<PendingConnection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                let slot = ConnectionSlot(channel)
                let deadlines = ConnectionDeadlines(lengths, slot: slot)
                try sync.addHandler(ConnectionDeadlines.Front(deadlines))
                try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
                try sync.addHandler(HTTPProtocolErrorHandler())
                try sync.addHandler(ConnectionDeadlines.Back(deadlines))
                return PendingConnection(try Connection(wrappingChannelSynchronously: channel), slot: slot)
            }
        }
        // One event loop for every connection: it only moves bytes and parses HTTP (the requests run on Swift's
        // cooperative pool), and a second loop thread on top of the pool's cost ~5% more CPU per testimony in
        // context switches (BENCHMARKS.md).
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        // Collects every accepted connection, so that a graceful shutdown can quiesce them all.
        let quiesce = ServerQuiescingHelper(group: loop)
        let bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: Self.backlog)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
        let server: NIOAsyncChannel<PendingConnection, Never>
        if let passed = try SocketActivation.passedSocket() {
            // systemd owns the socket file, its mode and its group; connections wait in its backlog while
            // amanatd restarts.
            server = try await bootstrap.bind(passed, childChannelInitializer: initialiser)
            logger.info("listening on the socket systemd passed", metadata: ["socket.fd": "\(passed)"])
        } else {
            server = try await bootstrap.bind(
                unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initialiser
            )
            guard chmod(path, mode_t(configuration.socketMode)) == 0 else {
                try? await server.channel.close()
                throw ServerStartError("cannot set the mode of socket \(path): \(String(cString: strerror(errno)))")
            }
            logger.info(
                "listening",
                metadata: ["socket.path": "\(path)", "socket.mode": "\(String(configuration.socketMode, radix: 8))"]
            )
        }
        notifier.notify("READY=1")
        let notifier = self.notifier
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await pending in inbound {
                        guard let connection = pending.take() else { continue }
                        let slot = pending.slot
                        group.addTask { await self.serve(connection, slot: slot) }
                    }
                }
            }
        } onGracefulShutdown: {
            notifier.notify("STOPPING=1")
            // Closes the listening socket and quiesces every connection: idle ones close now, one with a request
            // in flight after its answer (NIO's HTTPServerPipelineHandler), so an acknowledged testimony is never
            // cut off and an idle client cannot hold up the stop.
            self.stopping.store(true, ordering: .relaxed)
            quiesce.initiateShutdown(promise: nil)
        }
        // NIO removed the socket file when the listening socket closed; unlinking again here could remove
        // the socket of a new amanatd that has bound the same path meanwhile. The archive is closed by amanatd
        // once every service has stopped.
        logger.info("stopped")
    }

    private func serve(_ connection: Connection, slot: ConnectionSlot) async {
        let channel = connection.channel
        let peer = await identify(channel)
        let uid = peer?.uid ?? PeerShares.unknownPeer
        guard shares.admit(slot, uid: uid) == .admitted else {
            await refuse(connection, with: .tooManyConnections)
            return
        }
        defer { shares.release(slot, uid: uid) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await self.handleRequests(channel: channel, peer: peer, inbound: inbound, outbound: outbound)
            }
        } catch {
            logger.debug("connection ended", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    /// Who is at the other end: its uid and groups, looked up once per connection.
    private func identify(_ channel: any Channel) async -> PeerIdentity? {
        guard let credentials = await PeerCredentials.of(channel) else { return nil }
        return PeerIdentity(
            uid: credentials.uid, groups: AccessPolicy.groups(uid: credentials.uid, gid: credentials.gid)
        )
    }

    private func handleRequests(
        channel: any Channel,
        peer: PeerIdentity?,
        inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        let limits = configuration.limits
        let parts = InboundParts(inbound)
        while let part = try await parts.next() {
            // Parts after a request's `.end` that are not a head belong to no request (NIO never sends them).
            guard case .head(let request) = part else { continue }
            // The role under the access groups in force now, so that a reload takes effect on open connections.
            let principal = authenticator.principal(for: peer)
            if principal.role == .none {
                logger.warning("access denied", metadata: ["peer.uid": "\(peer.map { String($0.uid) } ?? "unknown")"])
                // Answered before the body is read, then closed: a peer without a role holds no slot.
                try await write(.problem(.forbidden), to: outbound, keepAlive: false)
                return
            }
            let headerBytes = request.headers.reduce(request.uri.utf8.count) {
                $0 + $1.name.utf8.count + $1.value.utf8.count + 4
            }
            if headerBytes > limits.maxHeaderBytes {
                try await write(.problem(.headersTooLarge(limits.maxHeaderBytes)), to: outbound, keepAlive: false)
                return
            }
            let started = NIODeadline.now()
            let resolution = Route.resolve(method: request.method, uri: request.uri)
            var bodyLimit = limits.maxBodyBytes
            var streamsUpload = false
            if case .route(let route, _) = resolution, principal.role >= route.operation.role {
                bodyLimit = route.bodyLimit(limits)
                streamsUpload = route.bodyLimit == .upload
            }
            // Each request in flight holds a body buffer (or, for an upload, a file and its write buffer) until it is
            // answered: a uid gets its share of them.
            let uid = peer?.uid ?? PeerShares.unknownPeer
            let kind: PeerShares.RequestKind =
                streamsUpload ? .upload : bodyLimit > limits.maxBodyBytes ? .large : .ordinary
            guard shares.beginRequest(uid: uid, kind: kind) else {
                // Debug only: a line per refusal, stamped by journald and naming the uid, would date a volunteer's work.
                logger.debug("requests in flight over the share of one uid", metadata: ["peer.uid": "\(uid)"])
                try await write(.problem(.tooManyInFlight), to: outbound, keepAlive: false)
                return
            }
            defer { shares.endRequest(uid: uid, kind: kind) }
            let expectedLength = request.headers.first(name: "content-length").flatMap(Int.init)
            if let expectedLength, expectedLength > bodyLimit {
                // Answer before reading the body, then close: the client learns at once.
                try await write(.problem(.bodyTooLarge(bodyLimit)), to: outbound, keepAlive: false)
                return
            }
            let body = RequestBody(parts: parts, limit: bodyLimit)
            let response = await respond(
                to: resolution, principal: principal, request: request, body: body, expectedLength: expectedLength,
                interrupt: { channel.close(promise: nil) }
            )
            if streamsUpload && !body.isFinished {
                // Refused before its body was read (or with the body half read): draining up to max_file_bytes would
                // keep the peer sending for nothing. Answer, then close.
                try await write(response, to: outbound, keepAlive: false)
                return
            }
            // What the handler left unread is read now. Whatever the handler answered, a body over its limit gets
            // 413 and the connection closes; a body cut off, or refused by NIO's decoder, gets nothing more from
            // here (HTTPProtocolErrorHandler answers broken HTTP itself, and one request gets one response).
            var answer = response
            let keepAlive: Bool
            switch await body.drain() {
            case .complete:
                keepAlive = request.isKeepAlive && !stopping.load(ordering: .relaxed)
            case .overLimit:
                answer.whenDone?()
                answer = .problem(.bodyTooLarge(bodyLimit))
                keepAlive = false
            case .failed:
                response.whenDone?()
                return
            }
            try await write(answer, to: outbound, keepAlive: keepAlive, headOnly: request.method == .HEAD)
            // Debug only, and never for a request that may store, change or export records: journald's time stamp
            // on such a line would date a record (SECURITY.md). IntakeCore counts those per received period.
            if !resolution.datesRecords {
                logger.debug(
                    "request",
                    metadata: [
                        "http.route": "\(resolution.name(method: request.method))",
                        "http.status": "\(answer.status)",
                        "duration.ms": "\((NIODeadline.now() - started).nanoseconds / 1_000_000)",
                    ]
                )
            }
            if !keepAlive {
                // Closing now would discard a long body still queued in NIO (executeThenClose closes at once,
                // failing pending writes). The peer closes once it has read all of it; the idle timeout
                // closes a peer that never does. Anything more it sends is ignored.
                if answer.bodyFile != nil {
                    while try await parts.next() != nil {}
                }
                return
            }
        }
    }

    /// The answer of the route table and the core, or of the rate limit, to one request.
    private func respond(
        to resolution: Route.Resolution, principal: Principal, request: HTTPRequestHead, body: RequestBody,
        expectedLength: Int?, interrupt: @escaping @Sendable () -> Void
    ) async -> Response {
        switch resolution {
        case .notFound:
            return .problem(.notFound)
        case .methodNotAllowed(let allowed, let operation, _):
            do {
                try core.authorise(principal, operation)
            } catch {
                return .problem(Problem(error))
            }
            return .methodNotAllowed(allowed)
        case .route(let route, let parameter):
            let bucket: SubmissionRateLimiter? = switch route.rateClass {
            case .submission: limiter
            case .check: checkLimiter
            case .unlimited: nil
            }
            if let bucket, let uid = principal.uid, !bucket.admit(uid: uid) {
                // Counted, not logged: a line naming the uid at this moment would date its last submissions.
                core.count(.rateLimited)
                return .tooManySubmissions(perMinute: configuration.limits.submissionsPerMinute)
            }
            let routeRequest = RouteRequest(
                principal: principal, parameter: parameter, contentType: request.headers.first(name: "content-type"),
                expectedLength: expectedLength, body: body, headers: request.headers, interrupt: interrupt
            )
            do {
                return try await route.handle(core, routeRequest)
            } catch {
                return .problem(Problem(error))
            }
        }
    }

    private func write(
        _ response: Response, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        keepAlive: Bool, headOnly: Bool = false
    ) async throws {
        defer { response.whenDone?() }
        if let file = response.bodyFile {
            try await writeFile(response, file: file, to: outbound, keepAlive: keepAlive, headOnly: headOnly)
            return
        }
        var headers = HTTPHeaders()
        // A 204 has neither (RFC 9110 section 8.6).
        if response.status != 204 {
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: String(response.body.count))
        }
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        let status = HTTPResponseStatus(statusCode: response.status)
        var parts: [HTTPServerResponsePart] = [.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))]
        if !headOnly { parts.append(.body(.byteBuffer(ByteBuffer(bytes: response.body)))) }
        parts.append(.end(nil))
        try await outbound.write(contentsOf: parts)
    }

    /// Streams a file body in pieces, so an export of any size passes through a bounded buffer.
    private func writeFile(
        _ response: Response, file: (path: String, size: Int),
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, keepAlive: Bool, headOnly: Bool
    ) async throws {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            try await write(.problem(.internalError), to: outbound, keepAlive: false)
            return
        }
        defer { close(fd) }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(file.size))
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        let status = HTTPResponseStatus(statusCode: response.status)
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        if !headOnly {
            var remaining = file.size
            var chunk = [UInt8](repeating: 0, count: 256 * 1024)
            while remaining > 0 {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, remaining)) }
                // A short file would break the framing promised by Content-Length: close instead.
                guard count > 0 else { throw ResponseFileEnded() }
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk[0..<count]))))
                remaining -= count
            }
        }
        try await outbound.write(.end(nil))
    }

    /// Answers the connection's first request with `problem` and closes. HTTP allows no response before
    /// a request, so it waits for one, but never longer than a few seconds.
    private func refuse(_ connection: Connection, with problem: Problem) async {
        let channel = connection.channel
        let fuse = channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        defer { fuse.cancel() }
        try? await connection.executeThenClose { inbound, outbound in
            for try await part in inbound {
                if case .head = part {
                    try await self.write(.problem(problem), to: outbound, keepAlive: false)
                    return
                }
            }
        }
    }
}

extension HTTPServer {
    /// Connections the kernel queues before amanatd accepts them: Linux's default `net.core.somaxconn`, which caps
    /// it. A flood that fills the queue delays new clients only until the accept loop drains it, which takes
    /// milliseconds, since accepting never waits for a client.
    static let backlog: Int32 = 4096
}

/// Why the server could not start.
public struct ServerStartError: Error, CustomStringConvertible {
    /// A one-line explanation.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A file sent as a response body ended before its announced length: the connection closes mid-body, the only
/// honest answer once the head has gone out.
private struct ResponseFileEnded: Error {}

import Glibc

/// A point in time after which the exchange is abandoned, or none when timeouts are disabled.
struct Deadline {
    let seconds: Int
    private let expiry: ContinuousClock.Instant?

    init(seconds: Int) {
        self.seconds = seconds
        expiry = seconds > 0 ? ContinuousClock.now.advanced(by: .seconds(seconds)) : nil
    }

    /// The time left as a `timeval` for SO_RCVTIMEO/SO_SNDTIMEO, or nil when there is no deadline.
    func remaining() throws(ClientError) -> timeval? {
        guard let expiry else {
            return nil
        }
        let left = ContinuousClock.now.duration(to: expiry)
        let (wholeSeconds, attoseconds) = left.components
        // Round up so that a sliver of remaining time never becomes {0, 0}, which the kernel reads as "forever".
        let microseconds = (attoseconds + 999_999_999_999) / 1_000_000_000_000
        guard wholeSeconds > 0 || (wholeSeconds == 0 && microseconds > 0) else {
            throw ClientError(.timedOut(seconds: seconds))
        }
        if microseconds >= 1_000_000 {
            return timeval(tv_sec: Int(wholeSeconds) + 1, tv_usec: 0)
        }
        return timeval(tv_sec: Int(wholeSeconds), tv_usec: Int(microseconds))
    }
}

/// Builds `sockaddr_un` values, rejecting paths the kernel would silently truncate.
enum UnixSocketAddress {
    /// `sun_path` holds 108 bytes on Linux, one of which must be the terminating NUL.
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    static func make(path: String) throws(ClientError) -> sockaddr_un {
        let bytes = Array(path.utf8)
        // An empty path or a leading NUL would select Linux's abstract namespace, which amanatd never uses.
        guard !bytes.isEmpty, !bytes.contains(0) else {
            throw ClientError(.socketPathInvalid(path: path))
        }
        guard bytes.count <= maxPathBytes else {
            throw ClientError(.socketPathTooLong(path: path, byteCount: bytes.count))
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            sunPath.copyBytes(from: bytes)
        }
        return address
    }
}

/// Where a `ResponseReader` gets its bytes from; a protocol so parsing can be tested without a socket.
protocol ByteSource: AnyObject {
    /// Reads at least one byte into `buffer`, or returns 0 at end of stream.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(ClientError) -> Int
}

/// A connected, blocking AF_UNIX stream socket whose every operation honours one shared deadline.
final class UnixSocket: ByteSource {
    private let fd: Int32
    /// The deadline of the exchange in progress; a kept-alive connection gets a new one per request.
    var deadline: Deadline

    /// The ssh process at the other end of a tunnel (``tunnel(_:deadline:)``), reaped when the socket closes.
    private let child: pid_t?

    /// The descriptor, for ``UnixSocketDialer``, which duplicates it.
    var descriptor: Int32 { fd }

    init(fd: Int32, deadline: Deadline, child: pid_t? = nil) {
        self.fd = fd
        self.deadline = deadline
        self.child = child
    }

    deinit {
        // Not retried on EINTR: on Linux the descriptor is released even when close reports EINTR.
        close(fd)
        if let child { Self.reap(child) }
    }

    /// Waits for ssh to exit: it does once amanatd has closed the connection and dial-stdio has ended. One that
    /// lingers (a connection kept alive, a stuck network) gets SIGTERM after 5 seconds.
    private static func reap(_ child: pid_t) {
        var status: Int32 = 0
        for _ in 0..<500 {
            let result = waitpid(child, &status, WNOHANG)
            if result == child || (result < 0 && errno != EINTR) { return }
            usleep(10_000)
        }
        kill(child, SIGTERM)
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
    }

    static func connect(to address: sockaddr_un, path: String, deadline: Deadline) throws(ClientError) -> UnixSocket {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw ClientError(.system(operation: "socket", errno: errno))
        }
        // Owning the descriptor from here on means every error path below closes it.
        let socket = UnixSocket(fd: fd, deadline: deadline)
        var address = address
        while true {
            // Linux applies SO_SNDTIMEO to a Unix-socket connect that waits for room in a full listen backlog.
            try socket.applyTimeout(SO_SNDTIMEO)
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    Glibc.connect(fd, socketAddress, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if result == 0 {
                return socket
            }
            switch errno {
            case EINTR:
                continue
            case EISCONN:
                // An interrupted attempt completed in the background.
                return socket
            case EAGAIN:
                try socket.throwIfExpired()
            case ENOENT:
                throw ClientError(.socketMissing(path: path))
            case EACCES, EPERM:
                throw ClientError(.permissionDenied(path: path))
            case ECONNREFUSED:
                throw ClientError(.connectionRefused(path: path))
            case let code:
                throw ClientError(.connectFailed(path: path, errno: code))
            }
        }
    }

    func sendAll(_ bytes: [UInt8]) throws(ClientError) {
        // A Result carries the typed error out, since Array's closure-taking methods only rethrow `any Error`.
        try bytes.withUnsafeBytes { buffer in Result { () throws(ClientError) in try sendAll(buffer) } }.get()
    }

    func sendAll(_ buffer: UnsafeRawBufferPointer) throws(ClientError) {
        var offset = 0
        while offset < buffer.count {
            try applyTimeout(SO_SNDTIMEO)
            // MSG_NOSIGNAL turns a vanished peer into EPIPE instead of a process-killing SIGPIPE.
            let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            if sent >= 0 {
                offset += sent
                continue
            }
            try handleTransferError(errno)
        }
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(ClientError) -> Int {
        while true {
            try applyTimeout(SO_RCVTIMEO)
            let received = recv(fd, buffer.baseAddress, buffer.count, 0)
            if received >= 0 {
                return received
            }
            try handleTransferError(errno)
        }
    }

    /// Returns when the operation should be retried, throws otherwise.
    private func handleTransferError(_ code: Int32) throws(ClientError) {
        switch code {
        case EINTR:
            return
        case EAGAIN, EWOULDBLOCK:
            // The socket timeout fired; the deadline decides whether that was the last of the time.
            try throwIfExpired()
        case EPIPE, ECONNRESET:
            throw ClientError(.connectionReset(errno: code))
        default:
            throw ClientError(.system(operation: "socket I/O", errno: code))
        }
    }

    private func throwIfExpired() throws(ClientError) {
        _ = try deadline.remaining()
    }

    /// Sets the socket timeout to what is left of the deadline, so the whole exchange is bounded, not each call.
    private func applyTimeout(_ option: Int32) throws(ClientError) {
        guard var remaining = try deadline.remaining() else {
            return
        }
        let result = setsockopt(fd, SOL_SOCKET, option, &remaining, socklen_t(MemoryLayout<timeval>.size))
        guard result == 0 else {
            throw ClientError(.system(operation: "setsockopt", errno: errno))
        }
    }
}

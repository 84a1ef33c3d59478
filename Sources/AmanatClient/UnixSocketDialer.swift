import Glibc

/// A raw connection to amanatd's socket, for `amanat dial-stdio`, which relays bytes and speaks no HTTP itself.
public enum UnixSocketDialer {
    /// Connects to the socket at `path` and returns a new blocking descriptor (close-on-exec) the caller owns.
    ///
    /// `timeoutSeconds` bounds the wait for room in a full listen backlog (Linux applies SO_SNDTIMEO to a
    /// Unix-socket connect); the relay's own reads and writes then wait as long as amanatd allows.
    public static func connect(path: String, timeoutSeconds: Int = 60) throws(ClientError) -> Int32 {
        var address = try UnixSocketAddress.make(path: path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError(.system(operation: "socket", errno: errno)) }
        var limit = timeval(tv_sec: max(timeoutSeconds, 0), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        while true {
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    Glibc.connect(fd, socketAddress, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            let code = errno
            if result == 0 || code == EISCONN { break }
            if code == EINTR { continue }
            close(fd)
            switch code {
            case EAGAIN: throw ClientError(.timedOut(seconds: timeoutSeconds))
            case ENOENT: throw ClientError(.socketMissing(path: path))
            case EACCES, EPERM: throw ClientError(.permissionDenied(path: path))
            case ECONNREFUSED: throw ClientError(.connectionRefused(path: path))
            default: throw ClientError(.connectFailed(path: path, errno: code))
            }
        }
        var forever = timeval(tv_sec: 0, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &forever, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }
}

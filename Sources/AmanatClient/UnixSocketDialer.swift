import Glibc

/// A raw connection to amanatd's socket, for `amanat dial-stdio`, which relays bytes and speaks no HTTP itself.
public enum UnixSocketDialer {
    /// Connects to the socket at `path` and returns a new blocking descriptor (close-on-exec) the caller owns.
    public static func connect(path: String, timeoutSeconds: Int = 60) throws(ClientError) -> Int32 {
        let address = try UnixSocketAddress.make(path: path)
        let socket = try UnixSocket.connect(to: address, path: path, deadline: Deadline(seconds: timeoutSeconds))
        let fd = fcntl(socket.descriptor, F_DUPFD_CLOEXEC, 0)
        guard fd >= 0 else { throw ClientError(.system(operation: "fcntl", errno: errno)) }
        // The connect timeout must not stay on the relay's reads and writes, which wait as long as amanatd allows.
        var forever = timeval(tv_sec: 0, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &forever, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &forever, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }
}

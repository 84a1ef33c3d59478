import Glibc

/// systemd socket activation (sd_listen_fds(3)) without libsystemd.
enum SocketActivation {
    /// The first passed descriptor.
    static let firstDescriptor: Int32 = 3

    /// The listening socket systemd passed, if `LISTEN_PID` is this process and `LISTEN_FDS` is at least 1.
    /// The variables are removed so that no child process inherits them. A passed descriptor that is not a
    /// listening Unix stream socket is an error rather than something to bind around.
    static func passedSocket() throws(ServerStartError) -> Int32? {
        guard let pidText = getenv("LISTEN_PID").map({ String(cString: $0) }),
            let countText = getenv("LISTEN_FDS").map({ String(cString: $0) })
        else { return nil }
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pid = Int32(pidText), pid == getpid(), let count = Int(countText), count >= 1 else { return nil }
        let fd = firstDescriptor
        var type: Int32 = 0
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        var address = sockaddr_un()
        var addressLength = socklen_t(MemoryLayout<sockaddr_un>.size)
        let isUnix = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &addressLength) }
        } == 0 && address.sun_family == sa_family_t(AF_UNIX)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == Int32(SOCK_STREAM.rawValue),
            getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 1, isUnix
        else {
            throw ServerStartError("the socket systemd passed (fd 3) is not a listening Unix stream socket")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }
}

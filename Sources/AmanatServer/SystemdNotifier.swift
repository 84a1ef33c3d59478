import Glibc

/// sd_notify(3) without libsystemd: one datagram per state change to `$NOTIFY_SOCKET`, which may name an
/// abstract socket (a leading `@`). Without `$NOTIFY_SOCKET` every call does nothing.
public struct SystemdNotifier: Sendable {
    private let path: [UInt8]?

    /// A notifier for the socket named by `$NOTIFY_SOCKET`, if any.
    public init() {
        if let value = getenv("NOTIFY_SOCKET"), value.pointee != 0 {
            path = Array(String(cString: value).utf8)
        } else {
            path = nil
        }
    }

    /// Sends `state`, e.g. `READY=1`. Returns false when it could not be delivered.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let path, path.count < 108 else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = path
        if name.first == UInt8(ascii: "@") { name[0] = 0 }  // abstract namespace
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: name)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + name.count)
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { bytes in
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        return sent == message.count
    }
}

import Glibc
import NIOCore

/// A mirror of Linux's `struct ucred`, which Swift does not import (it hides behind _GNU_SOURCE).
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0

    /// The credentials of the process at the other end of `channel`, as the kernel recorded them at
    /// connect time. Nil when they cannot be read, which callers treat as "no access".
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        assert(MemoryLayout<PeerCredentials>.size == 12, "PeerCredentials must mirror struct ucred")
        return try? await provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: SO_PEERCRED)
        ).get()
    }
}

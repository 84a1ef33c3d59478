import Glibc

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

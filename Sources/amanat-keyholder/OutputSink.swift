import Glibc

/// Where opened records go: standard output, or a new file that only the owner can read.
final class OutputSink {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let fd: Int32
    private let path: String?
    private var buffer: [UInt8] = []

    /// Standard output.
    init() {
        fd = STDOUT_FILENO
        path = nil
    }

    /// A new file at `path`, mode 0600; an existing file is never overwritten.
    init(creating path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "it already exists" : String(cString: strerror(errno))
            throw Failure(description: "cannot create \(path): \(reason)")
        }
        self.fd = fd
        self.path = path
    }

    func write(_ bytes: [UInt8]) throws(Failure) {
        buffer += bytes
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws(Failure) {
        var written = 0
        while written < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "cannot write output: \(String(cString: strerror(errno)))") }
            written += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws(Failure) {
        try flush()
        if path != nil {
            guard fsync(fd) == 0, Glibc.close(fd) == 0 else { throw Failure(description: "cannot finish writing output") }
        }
    }
}

import AmanatPartialFiles
import CAmanatLinux
import Glibc

/// Where opened records go: standard output, or a new file that only the owner can read.
final class OutputSink {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let fd: Int32
    private let path: String?
    private var buffer: [UInt8] = []
    /// Bytes written to the file so far.
    private var offset: Int64 = 0

    /// Standard output. A pipe there is widened (to 1 MiB, Linux's default limit for unprivileged processes): with
    /// the default 64 KiB the writing thread, which also orders the records, waits on the reader far more often.
    init() {
        fd = STDOUT_FILENO
        path = nil
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFIFO {
            _ = fcntl(fd, Self.setPipeSize, Int32(1 << 20))
        }
    }

    /// F_SETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 7), which Glibc's module does not export.
    private static let setPipeSize: Int32 = 1024 + 7

    /// A new file at `path`, mode 0600; an existing file is never overwritten. Until the command calls
    /// `PartialFiles.keep()`, a failure (``fail(_:code:)``) or a signal removes it.
    init(creating path: String) throws(Failure) {
        let (fd, error) = PartialFiles.create(path) {
            open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        }
        guard fd >= 0 else {
            let reason = error == EEXIST ? "it already exists" : String(cString: strerror(error))
            throw Failure(description: "cannot create \(path): \(reason)")
        }
        self.fd = fd
        self.path = path
    }

    func write(_ bytes: [UInt8]) throws(Failure) {
        buffer += bytes
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes `bytes` straight to the file, after anything buffered, without copying them: for secrets held in
    /// protected memory, which must not pass through the ordinary buffer.
    func write(unbuffered bytes: UnsafeRawBufferPointer) throws(Failure) {
        try flush()
        let start = offset
        if let failure = writeAll(bytes) { throw failure }
        // A file's writeback starts now rather than at its fsync, so that writing an extracted gigabyte to the disk
        // overlaps decrypting the next one instead of following it. A failure only loses the head start.
        if path != nil { _ = amanat_start_writeback(fd, start, Int64(bytes.count)) }
    }

    func flush() throws(Failure) {
        if let failure = buffer.withUnsafeBytes({ writeAll($0) }) { throw failure }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes all of `bytes`, retrying short writes; the failure, if any.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) -> Failure? {
        var written = 0
        while written < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return Failure(description: "cannot write output: \(String(cString: strerror(errno)))") }
            written += n
            offset += Int64(n)
        }
        return nil
    }

    /// Closes the file without finishing it and removes it: for a file whose content turned out wrong (an
    /// attachment that does not authenticate). Standard output cannot be taken back.
    func discard() {
        guard let path else { return }
        Glibc.close(fd)
        unlink(path)
    }

    func close() throws(Failure) {
        try flush()
        if path != nil {
            guard fsync(fd) == 0, Glibc.close(fd) == 0 else { throw Failure(description: "cannot finish writing output") }
        }
    }
}

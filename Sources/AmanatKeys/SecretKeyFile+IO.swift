import Glibc

extension SecretKeyFile {
    /// Reads and parses the key file at `path`. Refuses a file that group or others can read or write,
    /// a link, and anything but a regular file.
    public static func read(path: String) throws(KeyFileError) -> SecretKeyFile {
        // O_NONBLOCK: a FIFO in place of the key file must not hang the open; it is refused below.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw KeyFileError(.io(String(cString: strerror(errno))), path: path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw KeyFileError(.io(String(cString: strerror(errno))), path: path) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw KeyFileError(.io("not a regular file"), path: path) }
        guard info.st_mode & 0o077 == 0 else { throw KeyFileError(.permissionsTooOpen, path: path) }
        guard info.st_size <= 65_536 else { throw KeyFileError(.badFormat, path: path) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw KeyFileError(.io("short read"), path: path) }
            filled += n
        }
        do {
            return try SecretKeyFile(text: String(decoding: bytes, as: UTF8.self))
        } catch var error {
            error.path = path
            throw error
        }
    }

    /// Replaces the key file at `path` atomically (a new file beside it, fsynced, then renamed over it), for
    /// a passphrase change. The old file must exist and pass the same checks as a read.
    public func replace(path: String) throws(KeyFileError) {
        _ = try Self.read(path: path)
        let temporary = path + ".new-\(UInt64.random(in: 0...UInt64.max))"
        try write(path: temporary)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw KeyFileError(.io(reason), path: path)
        }
        syncDirectory(containing: path)
    }

    /// Writes the key file to `path`, which must not exist: O_EXCL, mode 0600, then fsync of the file
    /// and its directory, so that a key whose public half was handed out is not lost in a crash.
    public func write(path: String) throws(KeyFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw KeyFileError(.alreadyExists, path: path) }
            throw KeyFileError(.io(String(cString: strerror(errno))), path: path)
        }
        let bytes = Array(encoded().utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(path)
                throw KeyFileError(.io(reason), path: path)
            }
            written += n
        }
        let synced = fsync(fd) == 0
        guard close(fd) == 0, synced else {
            unlink(path)
            throw KeyFileError(.io("could not flush to disk"), path: path)
        }
        syncDirectory(containing: path)
    }
}

/// fsyncs the directory holding `path`, so that a new file's name survives a crash.
func syncDirectory(containing path: String) {
    let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    close(fd)
}

import Glibc

/// A file named by the volunteer (`--attach`, `amanat attach`, the guided intake), opened and checked before
/// anything is sent: a regular file, whose size is known up front and whose media type comes from its first bytes.
///
/// The descriptor stays open until the upload is done, so that a rename or a replacement of the path meanwhile
/// does not change which file is read; a change of the file itself is caught by ``checkUnchanged()`` and by reads
/// that come up short.
final class EvidenceFile {
    /// The path as given, for messages.
    let path: String
    /// The base name, as it is sealed for the key holder: 1 to 255 bytes of UTF-8, no control characters.
    let name: String
    /// P, the size when opened.
    let size: UInt64
    /// From the first bytes (``MediaTypeDetector``).
    let mediaType: String
    /// Device and inode: the same file added twice under two paths is one file.
    let identity: [UInt64]
    private let fd: Int32

    /// Opens and checks `path`.
    init(path: String) throws(EvidenceError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { throw EvidenceError(UI.cannotRead(path, Self.reason(errno))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw EvidenceError(UI.cannotRead(path, Self.reason(code)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw EvidenceError(UI.notRegularFile(path))
        }
        // O_NONBLOCK only kept a FIFO from blocking the open; regular files ignore it.
        fd = descriptor
        size = UInt64(status.st_size)
        identity = [UInt64(status.st_dev), UInt64(status.st_ino)]
        guard let name = Self.baseName(of: path) else {
            close(descriptor)
            throw EvidenceError(UI.badFileName(path))
        }
        self.name = name
        var head = [UInt8](repeating: 0, count: MediaTypeDetector.sniffBytes)
        let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else {
            let code = errno
            close(descriptor)
            throw EvidenceError(UI.cannotRead(path, Self.reason(code)))
        }
        mediaType = MediaTypeDetector.detect(Array(head[0..<count]))
    }

    deinit {
        close(fd)
    }

    /// Reads exactly `buffer.count` bytes at `offset`; a short read means the file shrank since it was opened.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(EvidenceError) {
        var done = 0
        while done < buffer.count {
            let count = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw EvidenceError(UI.cannotRead(path, Self.reason(errno))) }
            guard count > 0 else { throw EvidenceError(UI.fileChanged(name)) }
            done += count
        }
    }

    /// Throws when the file's size is no longer the one it had when opened.
    func checkUnchanged() throws(EvidenceError) {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw EvidenceError(UI.cannotRead(path, Self.reason(errno))) }
        guard UInt64(status.st_size) == size else { throw EvidenceError(UI.fileChanged(name)) }
    }

    /// The last path component, if it is a name the protocol takes (PROTOCOL.md section 2.9).
    static func baseName(of path: String) -> String? {
        let trimmed = path.utf8.reversed().drop { $0 == UInt8(ascii: "/") }.reversed()
        let last = trimmed.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).last ?? []
        guard !last.isEmpty, last.count <= 255, let name = String(validating: last, as: UTF8.self) else { return nil }
        let printable = name.unicodeScalars.allSatisfy {
            $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value)
        }
        guard name != ".", name != "..", printable else { return nil }
        return name
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// A failure of an evidence file, told to the volunteer in their language, with the exit code it ends with.
struct EvidenceError: Error {
    let message: UIText
    let code: Int32

    init(_ message: UIText, code: Int32 = Exit.failure) {
        self.message = message
        self.code = code
    }
}

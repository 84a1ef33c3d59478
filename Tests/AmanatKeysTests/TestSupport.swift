import AmanatCrypto
import AmanatKeys
import AmanatFormat
import Foundation
import Glibc

/// An error with a kind to compare, so that tests can check exactly which failure happened.
protocol KindedError: Error {
    associatedtype Kind: Equatable
    var kind: Kind { get }
}

extension EnvelopeError: KindedError {}
extension OpenError: KindedError {}
extension KeyFileError: KindedError {}
extension PublicKeyTextError: KindedError {}

extension Result where Failure: KindedError {
    /// The failure's kind, or nil on success.
    var failureKind: Failure.Kind? {
        if case .failure(let error) = self { error.kind } else { nil }
    }
}

/// A fresh directory under the system's temporary directory; call ``remove()`` when done.
struct TemporaryDirectory {
    let root: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/amanat-test-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        root = String(cString: made)
    }

    func path(_ name: String) -> String { root + "/" + name }

    /// Writes `bytes` to a new file `name` created with exactly `mode`.
    func write(_ bytes: [UInt8], to name: String, mode: mode_t) throws {
        let fd = open(path(name), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        // The umask may have removed bits that a test wants.
        guard fchmod(fd, mode) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            guard n > 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            written += n
        }
    }

    /// The contents of the file `name`.
    func contents(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(name)).map { [UInt8]($0) }
    }

    /// The permission bits and file type of `name`, without following a link.
    func mode(_ name: String) -> mode_t? {
        var info = stat()
        return lstat(path(name), &info) == 0 ? info.st_mode : nil
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// `bytes` in protected memory.
func secret(_ bytes: [UInt8]) throws -> SecretBytes {
    try bytes.withUnsafeBytes { try SecretBytes(copying: $0) }
}

/// `text`'s UTF-8 in protected memory.
func secret(_ text: String) throws -> SecretBytes {
    try secret(Array(text.utf8))
}

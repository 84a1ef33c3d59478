public import AmanatSigning
import AmanatCrypto
import Foundation
import Glibc

/// amanatd's receipt-signing key (Ed25519), kept next to the database (docs/FORMAT.md, "Receipt key file").
/// It is made on first start, mode 0600. Losing it lets nobody read data, but an archive's ledger is bound
/// to it: a database is refused with any other key. It also keys the hashes of withdrawal tokens.
///
/// File: `AMRK` ‖ version 0x01 ‖ 32-byte Ed25519 seed (37 bytes).
public enum ReceiptKeyFile {
    static let magic: [UInt8] = Array("AMRK".utf8) + [1]
    static let length = 37

    /// The key file that belongs to the database at `databasePath`: `receipt.key` in the same directory.
    public static func path(forDatabase databasePath: String) -> String {
        let directory = (databasePath as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "." : directory) + "/receipt.key"
    }

    /// Loads the key at `path`, making it first when the file does not exist. Refuses a file that others can
    /// read or write, that belongs to another user, or that is malformed.
    public static func loadOrCreate(path: String) throws(ConfigError) -> SigningKey {
        var fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 && errno == ENOENT {
            try create(path: path)
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        }
        guard fd >= 0 else { throw ConfigError("receipt key \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ConfigError("receipt key \(path): not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw ConfigError("receipt key \(path): group or others have access (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard info.st_uid == geteuid() else {
            throw ConfigError("receipt key \(path): owned by uid \(info.st_uid), not by the user amanatd runs as")
        }
        guard Int(info.st_size) == length else { throw ConfigError("receipt key \(path): not an amanat receipt key (wrong size)") }
        do {
            let contents = try SecretBytes(count: length)
            let read = contents.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, length) }
            guard read == length else { throw ConfigError("receipt key \(path): short read") }
            let header = contents.withUnsafeBytes { Array($0.prefix(magic.count)) }
            guard header == magic else { throw ConfigError("receipt key \(path): not an amanat receipt key (bad header)") }
            return try SigningKey(seed: try contents.slice(magic.count..<length))
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError("receipt key \(path): \(error)")
        }
    }

    private static func create(path: String) throws(ConfigError) {
        // A name of its own: two amanatd starting at once must not remove each other's file.
        let temporary = path + ".new-" + Hex.encode(randomBytes(8))
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            if errno == ENOENT {
                throw ConfigError("cannot open database directory \((path as NSString).deletingLastPathComponent): \(reason)")
            }
            throw ConfigError("cannot create receipt key \(path): \(reason)")
        }
        do {
            let contents = try SecretBytes.random(count: length)
            contents.withUnsafeMutableBytes { bytes in
                for (index, byte) in magic.enumerated() { bytes[index] = byte }
            }
            let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, length) }
            guard written == length, fsync(fd) == 0 else {
                close(fd)
                unlink(temporary)
                throw ConfigError("cannot write receipt key \(path): \(String(cString: strerror(errno)))")
            }
            close(fd)
        } catch let error as ConfigError {
            throw error
        } catch {
            close(fd)
            unlink(temporary)
            throw ConfigError("cannot make receipt key \(path): \(error)")
        }
        // link() fails if another process made the key meanwhile; theirs wins.
        if link(temporary, path) != 0 && errno != EEXIST {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ConfigError("cannot install receipt key \(path): \(reason)")
        }
        unlink(temporary)
        let directory = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}

import AmanatCrypto
import AmanatFormat
import Glibc

/// The heads file: for each site (its receipt-signing key), the last ledger head this key holder verified. A later
/// archive of the site must extend it, that is hold that entry unchanged, as a Certificate Transparency client
/// checks that each new tree head is consistent with the last one it saw: so a copy cut back to before an earlier
/// export, or rewritten, is refused even though it is consistent in itself. Its keys also pin the sites for
/// `open` and `rewrap` (docs/FORMAT.md §12.9).
///
/// ```
/// # amanat-keyholder heads: the last verified ledger head of each site. …
/// amanat-sig-… 1234:<64 hex digits>
/// ```
struct KnownHeads {
    /// Where it is kept.
    let path: String
    /// The heads, by site.
    private(set) var heads: [SigningPublicKey: LedgerHead]

    /// Why the file cannot be used.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The sites it knows, in a stable order.
    var sites: [SigningPublicKey] { heads.keys.sorted { $0.text < $1.text } }

    /// Reads the file at `path`; an absent file is empty. Refuses a file others may write, or one that is
    /// not a heads file, rather than pin keys someone else chose.
    init(path: String) throws(Failure) {
        self.path = path
        heads = [:]
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw Failure(description: "cannot read the heads file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw Failure(description: "the heads file \(path) is not a regular file")
        }
        guard info.st_mode & 0o022 == 0, info.st_uid == getuid() else {
            throw Failure(description: "the heads file \(path) may be written by others (chmod 600 it, owned by you)")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 14)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Failure(description: "cannot read the heads file \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += chunk[0..<n]
            guard bytes.count <= 1 << 20 else { throw Failure(description: "the heads file \(path) is too large") }
        }
        for (index, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").enumerated() {
            if line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, let key = try? SigningPublicKey(text: String(parts[0])),
                  let head = LedgerHead(text: parts[1]), heads.updateValue(head, forKey: key) == nil
            else {
                throw Failure(description: "the heads file \(path), line \(index + 1), is not `amanat-sig-… SEQ:HASH`")
            }
        }
    }

    /// The head last verified for `site`.
    func head(of site: SigningPublicKey) -> LedgerHead? { heads[site] }

    /// Remembers `head` for `site`.
    mutating func remember(_ head: LedgerHead, for site: SigningPublicKey) {
        heads[site] = head
    }

    /// Writes the file atomically: a new file beside it (mode 0600), fsynced, renamed over the old one, and the
    /// directory fsynced, so that a crash leaves the old heads or the new ones, never a mix or nothing.
    func save() throws(Failure) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let temporary = path + ".new-\(UInt64.random(in: 0...UInt64.max))"
        var text = "# amanat-keyholder heads: the last verified ledger head (SEQ:HASH) of each site (its signing key).\n"
            + "# A later archive of a site must hold that entry unchanged. Written by amanat-keyholder; do not edit.\n"
        for site in sites { text += "\(site.text) \(heads[site]!.text)\n" }
        let bytes = Array(text.utf8)
        func failure(_ what: String) -> Failure {
            Failure(description: "cannot write the heads file \(path): \(what): \(String(cString: strerror(errno)))")
        }
        // Its directory and any missing parent (the default is under ~/.local/state), private to the user.
        var prefix = ""
        for component in directory.split(separator: "/") where directory != "." {
            prefix += (prefix.isEmpty && !directory.hasPrefix("/") ? "" : "/") + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST { throw failure("cannot create \(prefix)") }
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let error = failure("write")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            let error = failure("fsync")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("rename")
            unlink(temporary)
            throw error
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// `$XDG_STATE_HOME/amanat/heads`, else `$HOME/.local/state/amanat/heads`; nil when neither is set.
    static var defaultPath: String? {
        if let state = getenv("XDG_STATE_HOME").map({ String(cString: $0) }), state.hasPrefix("/") {
            return state + "/amanat/heads"
        }
        if let home = getenv("HOME").map({ String(cString: $0) }), home.hasPrefix("/") {
            return home + "/.local/state/amanat/heads"
        }
        return nil
    }
}

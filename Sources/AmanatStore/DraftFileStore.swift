public import AmanatFormat
public import AmanatIntake
import Dispatch
import Foundation
import Glibc

/// Drafts as files beside the database, `drafts/UID-DRAFT_ID` (directory 0700, files 0600), each the ciphertext
/// `amanat` sent and nothing else (FORMAT.md section 15): no row, no table, so that nothing of a draft reaches the
/// database or its WAL. A save writes a new file and renames it over the old one after an fsync, so a crash leaves
/// the old draft or the new one, never a mix. A draft expires `expirySeconds` after its last save (its modification
/// time); an expired one is never returned and is unlinked by the next sweep or read.
///
/// File work runs on a serial dispatch queue of its own, off Swift's cooperative pool (an fsync must not hold up the
/// text submissions), which also makes each check-then-write (the per-uid count) atomic.
public final class DraftFileStore: DraftStore {
    /// `drafts/` beside the database.
    public let directoryPath: String
    /// The directory, open: files are made and removed relative to it.
    let directory: Int32
    public let limits: DraftLimits
    let io = DispatchQueue(label: "amanat.drafts")

    /// The draft store beside the database at `databasePath`: creates `drafts/` (0700) if needed, and removes what a
    /// crash mid-save left and what expired while amanatd was stopped.
    public init(databasePath: String, limits: DraftLimits) throws(StoreError) {
        let parent = (databasePath as NSString).deletingLastPathComponent
        let parentPath = parent.isEmpty ? "." : parent
        directoryPath = parentPath + "/drafts"
        self.limits = limits
        directory = try UploadFileStore.openDirectory(directoryPath, parent: parentPath)
        for name in names() where name.hasPrefix(".") { unlinkat(directory, name, 0) }
        _ = removeExpiredNow()
    }

    deinit {
        close(directory)
    }

    // MARK: The port

    public func save(ownerUID: UInt32, id: DraftID, ciphertext: [UInt8]) async throws(StoreError) -> Bool {
        let name = Self.name(ownerUID, id)
        return try await onIO { () throws(StoreError) -> Bool in
            var existing = stat()
            if fstatat(self.directory, name, &existing, AT_SYMLINK_NOFOLLOW) != 0 {
                let prefix = "\(ownerUID)-"
                let held = self.names().count(where: { $0.hasPrefix(prefix) })
                guard held < self.limits.maxPerOwner else { return false }
            }
            let temporary = "." + name + "." + String(UInt64.random(in: 0...UInt64.max), radix: 16)
            let fd = openat(self.directory, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw UploadFileStore.fileError(errno, "creating a draft file") }
            do throws(StoreError) {
                try Self.writeAll(fd, ciphertext)
                guard fsync(fd) == 0 else { throw UploadFileStore.fileError(errno, "syncing a draft file") }
                close(fd)
                guard renameat(self.directory, temporary, self.directory, name) == 0 else {
                    throw UploadFileStore.fileError(errno, "renaming a draft file")
                }
            } catch {
                close(fd)
                unlinkat(self.directory, temporary, 0)
                throw error
            }
            fsync(self.directory)
            return true
        }
    }

    public func load(ownerUID: UInt32, id: DraftID) async throws(StoreError) -> [UInt8]? {
        let name = Self.name(ownerUID, id)
        return try await onIO { () throws(StoreError) -> [UInt8]? in
            let fd = openat(self.directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else {
                if errno == ENOENT { return nil }
                throw UploadFileStore.fileError(errno, "opening a draft file")
            }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw UploadFileStore.fileError(errno, "reading a draft file") }
            if self.isExpired(info, now: time(nil)) {
                unlinkat(self.directory, name, 0)
                fsync(self.directory)
                return nil
            }
            var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(done)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw UploadFileStore.fileError(n == 0 ? EIO : errno, "reading a draft file") }
                done += n
            }
            return bytes
        }
    }

    public func remove(ownerUID: UInt32, id: DraftID) async throws(StoreError) -> Bool {
        let name = Self.name(ownerUID, id)
        return try await onIO { () throws(StoreError) -> Bool in
            guard unlinkat(self.directory, name, 0) == 0 else {
                if errno == ENOENT { return false }
                throw UploadFileStore.fileError(errno, "removing a draft file")
            }
            fsync(self.directory)
            return true
        }
    }

    public func removeExpired() async throws(StoreError) -> Int {
        try await onIO { () throws(StoreError) -> Int in self.removeExpiredNow() }
    }

    // MARK: Files

    /// `UID-DRAFT_ID`: the owner in the name, so that another uid's request names another file.
    static func name(_ ownerUID: UInt32, _ id: DraftID) -> String { "\(ownerUID)-\(id.hex)" }

    private func isExpired(_ info: stat, now: Int) -> Bool {
        Int(info.st_mtim.tv_sec) + limits.expirySeconds <= now
    }

    private func removeExpiredNow() -> Int {
        let now = time(nil)
        var removed = 0
        for name in names() where !name.hasPrefix(".") {
            var info = stat()
            guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0, isExpired(info, now: now) else { continue }
            if unlinkat(directory, name, 0) == 0 { removed += 1 }
        }
        if removed > 0 { fsync(directory) }
        return removed
    }

    private func names() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directoryPath)) ?? []
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(StoreError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw UploadFileStore.fileError(errno, "writing a draft file") }
            done += n
        }
    }

    private func onIO<T: Sendable>(
        _ work: @escaping @Sendable () throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<T, StoreError>, Never>) in
            io.async { continuation.resume(returning: Result { () throws(StoreError) -> T in try work() }) }
        }
        return try result.get()
    }
}

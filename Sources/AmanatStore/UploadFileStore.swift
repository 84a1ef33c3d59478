import AmanatCrypto
public import AmanatFormat
public import AmanatIntake
import Dispatch
import Foundation
import GRDB
import Glibc
public import Logging
import Synchronization

/// Uploads as files beside the database, `attachments/UPLOAD_ID` (directory 0700, files 0600), with their state in
/// the `uploads` table (FORMAT.md, migration v4). A byte counts as durable once its file is fsynced and the offset
/// past it is committed (`synchronous=FULL`); the file is fsynced first, so the recorded offset never runs ahead of
/// the bytes. When an upload becomes an attachment its file stays where it is
/// (``UploadRows/claim(_:uploadID:ownerUID:)``).
///
/// File work (writes, SHA-256, fsync) runs on a dispatch queue of its own, never on Swift's cooperative pool, whose
/// two threads on a small host answer the text submissions: an fsync of 64 MiB must not hold one of them up.
public final class UploadFileStore: UploadStore {
    let pool: DatabasePool
    /// `attachments/` beside the database.
    public let directoryPath: String
    /// The directory, open: files are made and removed relative to it, so a renamed path cannot redirect them.
    let directory: Int32
    /// Bytes after which an append fsyncs and records its offset (`upload_sync_bytes`).
    let syncBytes: Int
    /// Seconds without a byte after which an upload is removed (`upload_expiry_seconds`).
    let expirySeconds: Int
    let logger: Logger
    let io = DispatchQueue(label: "amanat.uploads", attributes: .concurrent)
    /// SHA-256 over each unfinished upload's durable prefix, so that the next append need not read the file again.
    /// After a restart it is empty, and an append hashes the prefix from the file first.
    let prefixHashes = Mutex<[UploadID: (offset: Int, hash: SHA256)]>([:])

    /// The upload store of `store`'s database: creates `attachments/` (0700) beside it if needed.
    public init(store: RecordStore, syncBytes: Int, expirySeconds: Int, logger: Logger) throws(StoreError) {
        pool = store.pool
        let parent = (store.path as NSString).deletingLastPathComponent
        directoryPath = (parent.isEmpty ? "." : parent) + "/attachments"
        self.syncBytes = syncBytes
        self.expirySeconds = expirySeconds
        self.logger = logger
        directory = try Self.openDirectory(directoryPath, parent: parent.isEmpty ? "." : parent)
    }

    deinit {
        close(directory)
    }

    /// Opens the directory `path` in `parent`, made (0700) if needed and made 0700 if wider; refused when another user
    /// owns it. The draft store's directory is opened the same way.
    static func openDirectory(_ path: String, parent: String) throws(StoreError) -> Int32 {
        if mkdir(path, 0o700) == 0 {
            // The new entry in the database's directory must survive a crash like the files in it.
            let parentFD = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if parentFD >= 0 {
                fsync(parentFD)
                close(parentFD)
            }
        } else if errno != EEXIST {
            throw StoreError(.cannotOpen, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw StoreError(
                .cannotOpen, "cannot open \(path) (it must be a directory): \(String(cString: strerror(errno)))"
            )
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_uid == geteuid() else {
            close(fd)
            throw StoreError(.cannotOpen, "\(path) belongs to another user")
        }
        if info.st_mode & 0o077 != 0 { fchmod(fd, 0o700) }
        return fd
    }

    // MARK: The port

    public func availableBytes() throws(StoreError) -> Int {
        var info = statvfs()
        guard fstatvfs(directory, &info) == 0 else { throw Self.fileError(errno, "statvfs of \(directoryPath)") }
        let bytes = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        return bytes.overflow || bytes.partialValue > UInt64(Int.max) ? Int.max : Int(bytes.partialValue)
    }

    public func create(ownerUID: UInt32, length: Int, maxPerOwner: Int) async throws(StoreError) -> UploadStatus? {
        let uid = Int64(ownerUID)
        // The usual refusal costs no file.
        let held = try await read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM uploads WHERE owner_uid = ?", arguments: [uid]) ?? 0
        }
        guard held < maxPerOwner else { return nil }
        let id = UploadID.random()
        let directory = self.directory
        // The file first, then the row: a crash between them leaves a file no row names, which the next start removes.
        try await onIO { () throws(StoreError) in
            let fd = openat(directory, id.hex, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw Self.fileError(errno, "creating an upload file") }
            defer { close(fd) }
            guard fsync(fd) == 0, fsync(directory) == 0 else { throw Self.fileError(errno, "syncing an upload file") }
        }
        let hash: [UInt8]? = length == 0 ? SHA256().finalize() : nil
        let expires = Self.now() + Int64(expirySeconds)
        let inserted: Bool
        do {
            inserted = try await write { db in
                // Counted again in the insert itself: two creations at once cannot both pass the cap.
                try db.execute(
                    sql: """
                        INSERT INTO uploads (upload_id, owner_uid, length, durable_offset, ciphertext_sha256, expires)
                        SELECT ?, ?, ?, 0, ?, ? WHERE (SELECT count(*) FROM uploads WHERE owner_uid = ?) < ?
                        """,
                    arguments: [id.hex, uid, length, hash.map { Data($0) }, expires, uid, maxPerOwner]
                )
                return db.changesCount == 1
            }
        } catch {
            await unlinkFiles([id])
            throw error
        }
        guard inserted else {
            await unlinkFiles([id])
            return nil
        }
        if length > 0 { prefixHashes.withLock { $0[id] = (0, SHA256()) } }
        return UploadStatus(id: id, ownerUID: ownerUID, length: length, offset: 0, ciphertextSHA256: hash)
    }

    public func status(_ id: UploadID) async throws(StoreError) -> UploadStatus? {
        try await read { db in try UploadRows.fetch(db, id) }
    }

    public func appender(for upload: UploadStatus) async throws(StoreError) -> (any UploadAppender)? {
        let cached = prefixHashes.withLock { $0[upload.id] }.flatMap { $0.offset == upload.offset ? $0.hash : nil }
        let directory = self.directory
        let opened = try await onIO { () throws(StoreError) -> (fd: Int32, hash: SHA256)? in
            let fd = openat(directory, upload.id.hex, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else {
                if errno == ENOENT { return nil }
                throw Self.fileError(errno, "opening an upload file")
            }
            do throws(StoreError) {
                var info = stat()
                guard fstat(fd, &info) == 0 else { throw Self.fileError(errno, "reading an upload file") }
                guard Int(info.st_size) >= upload.offset else {
                    throw StoreError(.writeFailed, "an upload file is shorter than its recorded durable offset")
                }
                // Bytes past the durable offset are what an append that failed left: the client sends them again.
                guard ftruncate(fd, off_t(upload.offset)) == 0 else {
                    throw Self.fileError(errno, "truncating an upload")
                }
                if let cached { return (fd, cached) }
                return (fd, try Self.hashPrefix(fd, count: upload.offset))
            } catch {
                close(fd)
                throw error
            }
        }
        guard let opened else {
            // A row whose file is gone (a removal cut short): nothing can be resumed.
            _ = try await write { db in
                try db.execute(sql: "DELETE FROM uploads WHERE upload_id = ?", arguments: [upload.id.hex])
            }
            return nil
        }
        return UploadFileAppender(store: self, upload: upload, fd: opened.fd, hash: opened.hash)
    }

    public func remove(_ id: UploadID) async throws(StoreError) {
        // The row first, and the file only if this removed the row: a record's transaction may have bound the upload
        // meanwhile, and its file is then the attachment's.
        let removed = try await write { db in
            try db.execute(sql: "DELETE FROM uploads WHERE upload_id = ?", arguments: [id.hex])
            return db.changesCount == 1
        }
        prefixHashes.withLock { _ = $0.removeValue(forKey: id) }
        if removed { await unlinkFiles([id]) }
    }

    public func discard(_ id: UploadID) async throws(StoreError) {
        // The file first, to free the space the row's deletion may need; the upload is unfinished, so no record can
        // bind it. A row left without its file is removed at the next append or start.
        await unlinkFiles([id])
        try await remove(id)
    }

    public func removeExpired(sparing busy: Set<UploadID>) async throws(StoreError) -> Int {
        let now = Self.now()
        let removed = try await write { db -> [UploadID] in
            let expired = try String.fetchAll(
                db, sql: "SELECT upload_id FROM uploads WHERE expires <= ?", arguments: [now]
            )
            var removed: [UploadID] = []
            for hex in expired {
                guard let id = UploadID(hex: hex), !busy.contains(id) else { continue }
                try db.execute(sql: "DELETE FROM uploads WHERE upload_id = ?", arguments: [hex])
                removed.append(id)
            }
            return removed
        }
        guard !removed.isEmpty else { return 0 }
        prefixHashes.withLock { hashes in removed.forEach { hashes.removeValue(forKey: $0) } }
        await unlinkFiles(removed)
        return removed.count
    }

    public func blurFileTimes() async throws(StoreError) -> Int {
        let directory = self.directory
        let path = directoryPath
        return try await onIO { () throws(StoreError) -> Int in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            var epoch = (timespec(tv_sec: 0, tv_nsec: 0), timespec(tv_sec: 0, tv_nsec: 0))
            var set = 0
            for name in names where UploadID(hex: name) != nil {
                let result = withUnsafePointer(to: &epoch) {
                    $0.withMemoryRebound(to: timespec.self, capacity: 2) {
                        utimensat(directory, name, $0, AT_SYMLINK_NOFOLLOW)
                    }
                }
                if result == 0 {
                    set += 1
                } else if errno != ENOENT {
                    // Removed meanwhile is fine; anything else is told, without the file's name.
                    throw Self.fileError(errno, "setting a stored file's times")
                }
            }
            return set
        }
    }

    // MARK: Start-up

    /// What ``recover()`` did.
    public struct Recovery: Sendable, Equatable {
        /// Upload files cut back to their recorded durable offset.
        public var truncated = 0
        /// Files no row named, removed.
        public var orphans = 0
        /// Uploads removed: expired, or whose file was missing or shorter than recorded.
        public var removed = 0
    }

    /// Before the first request: cuts each upload file back to its recorded durable offset (a `kill -9` can leave
    /// bytes past it), removes rows whose file is gone, every file in `attachments/` that no upload or attachment
    /// row names (what a crash between a file and its row, or a removal cut short, left), and expired uploads;
    /// then blurs every stored file's times (``blurFileTimes()``).
    public func recover() async throws(StoreError) -> Recovery {
        var recovery = Recovery()
        let (uploads, storages) = try await read { db in
            (try Row.fetchAll(db, sql: "SELECT \(UploadRows.columns) FROM uploads").compactMap(UploadRows.status),
             Set(try String.fetchAll(db, sql: "SELECT storage FROM attachments WHERE storage IS NOT NULL")))
        }
        var lost: [UploadID] = []
        for upload in uploads {
            let fd = openat(directory, upload.id.hex, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else {
                lost.append(upload.id)
                continue
            }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw Self.fileError(errno, "reading an upload file") }
            if Int(info.st_size) < upload.offset {
                // The disk lost fsynced bytes: the upload cannot be resumed truthfully.
                logger.warning("an upload file is shorter than its recorded durable offset; the upload is removed")
                lost.append(upload.id)
            } else if Int(info.st_size) > upload.offset {
                guard ftruncate(fd, off_t(upload.offset)) == 0, fsync(fd) == 0 else {
                    throw Self.fileError(errno, "truncating an upload file")
                }
                recovery.truncated += 1
            }
        }
        for id in lost { try await remove(id) }
        recovery.removed += lost.count
        let named = Set(uploads.map(\.id.hex)).union(storages)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directoryPath)) ?? []
        let orphans = entries.compactMap(UploadID.init(hex:)).filter { !named.contains($0.hex) }
        await unlinkFiles(orphans)
        recovery.orphans = orphans.count
        recovery.removed += try await removeExpired(sparing: [])
        // A crash may have come before the end of the period the last files were stored in.
        _ = try await blurFileTimes()
        return recovery
    }

    // MARK: Helpers

    /// Records `offset` (and, when it is the length, the SHA-256 `hash` ends with) as `upload`'s durable offset; the
    /// bytes before it must be fsynced already. The expiry restarts from now.
    func record(_ upload: UploadStatus, offset: Int, hash: SHA256) async throws(StoreError) -> UploadStatus {
        var recorded = upload
        recorded.offset = offset
        recorded.ciphertextSHA256 = offset == upload.length ? hash.finalize() : nil
        let expires = Self.now() + Int64(expirySeconds)
        let digest = recorded.ciphertextSHA256.map { Data($0) }
        let updated = try await write { db in
            try db.execute(
                sql: "UPDATE uploads SET durable_offset = ?, ciphertext_sha256 = ?, expires = ? WHERE upload_id = ?",
                arguments: [offset, digest, expires, upload.id.hex]
            )
            return db.changesCount == 1
        }
        // Expired at the moment its append began (the sweep took it just before the append held it): nothing to resume.
        guard updated else { throw StoreError(.writeFailed, "the upload was removed while it was appended to") }
        prefixHashes.withLock { hashes in
            if recorded.isComplete {
                hashes.removeValue(forKey: upload.id)
            } else {
                hashes[upload.id] = (offset, hash)
            }
        }
        return recorded
    }

    /// Runs `work` on the file queue.
    func onIO<T: Sendable>(_ work: @escaping @Sendable () throws(StoreError) -> T) async throws(StoreError) -> T {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<T, StoreError>, Never>) in
            io.async { continuation.resume(returning: Result { () throws(StoreError) -> T in try work() }) }
        }
        return try result.get()
    }

    private func unlinkFiles(_ ids: [UploadID]) async {
        guard !ids.isEmpty else { return }
        let directory = self.directory
        let logger = self.logger
        _ = try? await onIO { () throws(StoreError) in
            for id in ids where unlinkat(directory, id.hex, 0) != 0 && errno != ENOENT {
                logger.warning(
                    "removing an upload file failed", metadata: ["error": "\(String(cString: strerror(errno)))"]
                )
            }
            fsync(directory)
        }
    }

    private func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(work)
        } catch {
            throw RecordStore.writeError(error, "reading uploads")
        }
    }

    private func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.write(work)
        } catch {
            throw RecordStore.writeError(error, "writing uploads")
        }
    }

    /// SHA-256 of the first `count` bytes of the file `fd`, read 1 MiB at a time: after a restart, the state an
    /// append continues from.
    static func hashPrefix(_ fd: Int32, count: Int) throws(StoreError) -> SHA256 {
        var hash = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress, min($0.count, count - done), off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                if n == 0 { throw StoreError(.writeFailed, "an upload file ended early") }
                throw fileError(errno, "reading an upload file")
            }
            buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += n
        }
        return hash
    }

    /// A file operation's failure: a full disk or quota is its own kind.
    static func fileError(_ code: Int32, _ what: String) -> StoreError {
        if code == ENOSPC || code == EDQUOT { return StoreError(.diskFull, "the disk is full") }
        return StoreError(.writeFailed, "\(what) failed: \(String(cString: strerror(code)))")
    }

    static func now() -> Int64 { Int64(time(nil)) }
}

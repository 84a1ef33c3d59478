import AmanatCrypto
import AmanatFormat
import AmanatIntake
import CAmanatLinux
import Glibc

/// One append to one upload file, as a pipeline of two stages: while the request's bytes gather into the next batch
/// (`batchBytes`), the batch before it is written, hashed, handed to writeback and, every `upload_sync_bytes`,
/// fsynced and its offset recorded, on the store's file queue. At most one batch waits and one is in flight, whatever the file's size.
///
/// The request's pieces are kept as they came (NIO's buffers), not copied: a batch is a list of pieces, written one
/// `pwrite` each. Pieces under `smallPieceBytes` are copied into one buffer instead, so that a client sending its
/// bytes in drips cannot make amanatd hold many large, nearly empty buffers.
final class UploadFileAppender: UploadAppender {
    /// Where the file stands after the last finished stage.
    private struct State: Sendable {
        /// The durable state: what the `uploads` row says.
        var upload: UploadStatus
        /// SHA-256 over the `written` bytes.
        var hash: SHA256
        /// Bytes in the file, durable or not.
        var written: Int
    }

    /// The open file, closed when the last stage using it is done with it: ``close()`` may come while one runs.
    private final class OpenFile: Sendable {
        let fd: Int32
        init(_ fd: Int32) { self.fd = fd }
        deinit { Glibc.close(fd) }
    }

    private let store: UploadFileStore
    private var file: OpenFile?
    private var state: State
    /// The batch in flight: its result is the state after it.
    private var inFlight: Task<Result<State, StoreError>, Never>?
    /// The next batch, gathering.
    private var batch: [any Collection<UInt8> & Sendable] = []
    private var batchCount = 0
    /// Small pieces, copied together; appended to `batch` when a large piece follows or the batch is handed over.
    private var small: [UInt8] = []

    static let batchBytes = 512 << 10
    static let smallPieceBytes = 32 << 10

    init(store: UploadFileStore, upload: UploadStatus, fd: Int32, hash: SHA256) {
        self.store = store
        self.file = OpenFile(fd)
        self.state = State(upload: upload, hash: hash, written: upload.offset)
    }

    func close() {
        file = nil
    }

    func write<Bytes: Collection<UInt8> & Sendable>(_ bytes: Bytes) async throws(StoreError) {
        guard file != nil else { throw StoreError(.writeFailed, "an upload file was written after it was closed") }
        let count = bytes.count
        guard count > 0 else { return }
        if count < Self.smallPieceBytes {
            if small.isEmpty { small.reserveCapacity(Self.smallPieceBytes * 2) }
            small.append(contentsOf: bytes)
            if small.count >= Self.smallPieceBytes { takeSmall() }
        } else {
            takeSmall()
            batch.append(bytes)
        }
        batchCount += count
        if batchCount >= Self.batchBytes { try await handOver(sync: false) }
    }

    func finish() async throws(StoreError) -> UploadStatus {
        guard file != nil else { throw StoreError(.writeFailed, "an upload file was finished after it was closed") }
        try await settle()
        if batchCount > 0 || state.written != state.upload.offset { try await handOver(sync: true) }
        try await settle()
        return state.upload
    }

    private func takeSmall() {
        guard !small.isEmpty else { return }
        batch.append(small)
        small = []
    }

    /// Waits for the batch in flight, then starts the gathered one; `sync` makes it fsync and record its end even
    /// short of `upload_sync_bytes`.
    private func handOver(sync: Bool) async throws(StoreError) {
        try await settle()
        guard let file else { throw StoreError(.writeFailed, "an upload file was written after it was closed") }
        takeSmall()
        let pieces = batch
        let count = batchCount
        batch = []
        batchCount = 0
        let before = state
        let store = self.store
        let syncs = sync || before.written + count - before.upload.offset >= store.syncBytes
        inFlight = Task.detached { [pieces, before, file, store, syncs] in
            await UploadFileAppender.run(pieces, from: before, file: file, store: store, sync: syncs)
        }
    }

    /// One stage: writes and hashes `pieces` after `before`, then, if `sync`, fsyncs and records the new end.
    private static func run(
        _ pieces: [any Collection<UInt8> & Sendable], from before: State, file: OpenFile, store: UploadFileStore,
        sync: Bool
    ) async -> Result<State, StoreError> {
        do throws(StoreError) {
            var after = try await store.onIO { () throws(StoreError) -> State in
                var after = before
                for piece in pieces {
                    try write(piece, to: file.fd, at: after.written, hash: &after.hash)
                    after.written += piece.count
                }
                if sync {
                    guard fsync(file.fd) == 0 else { throw UploadFileStore.fileError(errno, "syncing an upload file") }
                } else {
                    // Writeback starts now, not at the next fsync: dirty pages do not pile up to upload_sync_bytes,
                    // and a text submission's WAL commit on the same file system does not wait behind them. A
                    // failure only loses the head start.
                    _ = amanat_start_writeback(file.fd, Int64(before.written), Int64(after.written - before.written))
                }
                return after
            }
            if sync { after.upload = try await store.record(before.upload, offset: after.written, hash: after.hash) }
            return .success(after)
        } catch {
            return .failure(error)
        }
    }

    /// Waits for the batch in flight, if any, and takes the state after it.
    private func settle() async throws(StoreError) {
        guard let inFlight else { return }
        self.inFlight = nil
        state = try await inFlight.value.get()
    }

    private static func write<Piece: Collection<UInt8>>(
        _ piece: Piece, to fd: Int32, at offset: Int, hash: inout SHA256
    ) throws(StoreError) {
        func take(_ bytes: UnsafeRawBufferPointer) -> Result<Void, StoreError> {
            Result { () throws(StoreError) in
                try writeAll(fd, bytes, at: offset)
                hash.update(bytes)
            }
        }
        let done = piece.withContiguousStorageIfAvailable { take(UnsafeRawBufferPointer($0)) }
        try (done ?? Array(piece).withUnsafeBytes { take($0) }).get()
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws(StoreError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw UploadFileStore.fileError(errno, "writing an upload file")
            }
            done += n
        }
    }
}

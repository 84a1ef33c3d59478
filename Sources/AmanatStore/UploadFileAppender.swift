import AmanatCrypto
import AmanatFormat
import AmanatIntake
import Glibc

/// One append to one upload file: bytes gather in a 1 MiB buffer, which is written and hashed on the store's file
/// queue; every `upload_sync_bytes` and at the end the file is fsynced and the offset recorded. At most one buffer
/// is held, whatever the file's size.
final class UploadFileAppender: UploadAppender {
    private let store: UploadFileStore
    /// The durable state.
    private var upload: UploadStatus
    /// The file; -1 once closed.
    private var fd: Int32
    /// SHA-256 over the `written` bytes.
    private var hash: SHA256
    /// Bytes in the file, durable or not.
    private var written: Int
    private var buffer: [UInt8] = []

    static let bufferBytes = 1 << 20

    init(store: UploadFileStore, upload: UploadStatus, fd: Int32, hash: SHA256) {
        self.store = store
        self.upload = upload
        self.fd = fd
        self.hash = hash
        self.written = upload.offset
        buffer.reserveCapacity(Self.bufferBytes)
    }

    deinit {
        close()
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    func write<Bytes: Collection<UInt8>>(_ bytes: Bytes) async throws(StoreError) {
        guard fd >= 0 else { throw StoreError(.writeFailed, "an upload file was written after it was closed") }
        let copied = bytes.withContiguousStorageIfAvailable { buffer.append(contentsOf: $0) } != nil
        if !copied { buffer.append(contentsOf: bytes) }
        if buffer.count >= Self.bufferBytes { try await flush() }
    }

    func finish() async throws(StoreError) -> UploadStatus {
        guard fd >= 0 else { throw StoreError(.writeFailed, "an upload file was finished after it was closed") }
        try await flush()
        if written != upload.offset { try await sync() }
        return upload
    }

    private func flush() async throws(StoreError) {
        guard !buffer.isEmpty else { return }
        var piece: [UInt8] = []
        piece.reserveCapacity(Self.bufferBytes)
        swap(&piece, &buffer)
        let (fd, offset, before) = (self.fd, written, hash)
        let frozen = piece
        hash = try await store.onIO { () throws(StoreError) -> SHA256 in
            try Self.writeAll(fd, frozen, at: offset)
            var hash = before
            frozen.withUnsafeBytes { hash.update($0) }
            return hash
        }
        written += frozen.count
        if written - upload.offset >= store.syncBytes { try await sync() }
    }

    private func sync() async throws(StoreError) {
        let fd = self.fd
        try await store.onIO { () throws(StoreError) in
            guard fsync(fd) == 0 else { throw UploadFileStore.fileError(errno, "syncing an upload file") }
        }
        upload = try await store.record(upload, offset: written, hash: hash)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int) throws(StoreError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw UploadFileStore.fileError(errno, "writing an upload file")
            }
            done += n
        }
    }
}

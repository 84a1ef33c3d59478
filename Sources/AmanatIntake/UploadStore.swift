import AmanatCrypto
public import AmanatFormat

/// An upload's id (PROTOCOL.md section 2.9): 32 lowercase hex digits for 16 random bytes. It also names the upload's
/// file, and the attachment's storage once the upload is bound to a record. It prints nothing of itself: an id in a
/// log line, stamped with the time, would date a volunteer's work.
public struct UploadID: Hashable, Sendable {
    /// The 32 lowercase hex digits.
    public let hex: String

    /// The id written as `hex`; nil unless it is 32 lowercase hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 32, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        self.hex = hex
    }

    /// A fresh random id.
    public static func random() -> UploadID {
        UploadID(hex: Hex.encode(randomBytes(16)))!
    }
}

/// What the store holds of one upload.
public struct UploadStatus: Sendable, Equatable {
    /// The upload.
    public var id: UploadID
    /// The uid that created it: for any other uid it does not exist.
    public var ownerUID: UInt32
    /// Its length in bytes, announced when it was created.
    public var length: Int
    /// How many bytes are durable (fsynced, and recorded).
    public var offset: Int
    /// SHA-256 of the stored bytes, once `offset` reaches `length`.
    public var ciphertextSHA256: [UInt8]?

    /// An upload's status.
    public init(id: UploadID, ownerUID: UInt32, length: Int, offset: Int, ciphertextSHA256: [UInt8]?) {
        self.id = id
        self.ownerUID = ownerUID
        self.length = length
        self.offset = offset
        self.ciphertextSHA256 = ciphertextSHA256
    }

    /// Whether every byte is durable.
    public var isComplete: Bool { offset == length }
}

/// Port: where uploaded ciphertext goes, durably, until a record takes it as an attachment. amanatd's is files beside
/// the database with rows in its `uploads` table (``AmanatStore/UploadFileStore``). Every method that changes
/// something returns only once the change is durable, and throws ``StoreError`` (`diskFull` for a full disk; anything
/// else is internal).
public protocol UploadStore: Sendable {
    /// Bytes an unprivileged writer may still use on the file system that holds the uploads.
    func availableBytes() throws(StoreError) -> Int
    /// Creates an empty upload of `length` bytes for `ownerUID` (its file and its row, both durable), unless the uid
    /// holds `maxPerOwner` uploads already: nil then, and nothing is created.
    func create(ownerUID: UInt32, length: Int, maxPerOwner: Int) async throws(StoreError) -> UploadStatus?
    /// The upload's status; nil if there is none with that id.
    func status(_ id: UploadID) async throws(StoreError) -> UploadStatus?
    /// Sets the access and modification times of every stored file (attachments and unfinished uploads) to the
    /// epoch; their change times all become now. Called when a received period ends, so that a file's times date
    /// it no closer than its record's `received` does (SECURITY.md); returns how many files it set.
    func blurFileTimes() async throws(StoreError) -> Int
    /// Opens `upload` to append at its durable offset (bytes written after it by an append that failed are dropped).
    /// nil when its file has vanished (the row is removed then).
    func appender(for upload: UploadStatus) async throws(StoreError) -> (any UploadAppender)?
    /// Removes the upload's row, then its file; nothing if it is gone (bound to a record meanwhile, say).
    func remove(_ id: UploadID) async throws(StoreError)
    /// Removes an unfinished upload after its disk filled up: its file first, to free the space, then its row.
    func discard(_ id: UploadID) async throws(StoreError)
    /// Removes every upload whose last byte is older than the expiry, except those in `busy`; returns how many.
    func removeExpired(sparing busy: Set<UploadID>) async throws(StoreError) -> Int
}

/// One append to one upload, used by one task. The bytes become durable, and the offset recorded, at least every
/// so many bytes (the store's `upload_sync_bytes`) and at ``finish()``.
public protocol UploadAppender: AnyObject {
    /// Takes the next bytes, at the end of those taken so far.
    func write<Bytes: Collection<UInt8> & Sendable>(_ bytes: Bytes) async throws(StoreError)
    /// Makes every byte taken durable, records the durable offset (and the SHA-256 once the upload is complete) and
    /// returns the upload's status. Called after a failed body too: what arrived is kept.
    func finish() async throws(StoreError) -> UploadStatus
    /// Lets go of the upload's file at once (a removed file's space is freed only once nothing holds it open).
    func close()
}

/// The limits on uploads (PROTOCOL.md section 5).
public struct UploadLimits: Sendable, Equatable {
    /// The largest upload, in stored bytes (`max_file_bytes`).
    public var maxFileBytes: Int
    /// Free space that must remain on the uploads' file system beyond a new upload's length (`min_free_bytes`).
    public var minFreeBytes: Int
    /// Uploads one uid may hold at once (`max_uploads_per_peer`).
    public var maxUploadsPerPeer: Int
    /// Seconds without a byte after which an upload not yet bound to a record is removed (`upload_expiry_seconds`).
    public var expirySeconds: Int

    /// Limits.
    public init(maxFileBytes: Int, minFreeBytes: Int, maxUploadsPerPeer: Int, expirySeconds: Int) {
        self.maxFileBytes = maxFileBytes
        self.minFreeBytes = minFreeBytes
        self.maxUploadsPerPeer = maxUploadsPerPeer
        self.expirySeconds = expirySeconds
    }

    /// The defaults of PROTOCOL.md section 5.
    public static let defaults = UploadLimits(
        maxFileBytes: 4_294_967_296, minFreeBytes: 268_435_456, maxUploadsPerPeer: 16, expirySeconds: 86_400
    )
}

public import AmanatFormat

/// A guided intake's draft id (PROTOCOL.md section 2.13): 64 lowercase hex digits, the BLAKE2b-256 of the draft
/// code (FORMAT.md section 15), which the host never sees. Like an upload id, it prints nothing of itself.
public struct DraftID: Hashable, Sendable {
    /// The 64 lowercase hex digits.
    public let hex: String

    /// The id written as `hex`; nil unless it is 64 lowercase hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        self.hex = hex
    }
}

/// The limits on drafts.
public struct DraftLimits: Sendable, Equatable {
    /// Seconds after its last save after which a draft is removed (`draft_expiry_seconds`).
    public var expirySeconds: Int
    /// Drafts one uid may hold at once.
    public var maxPerOwner: Int

    /// Limits as given.
    public init(expirySeconds: Int, maxPerOwner: Int = 16) {
        self.expirySeconds = expirySeconds
        self.maxPerOwner = maxPerOwner
    }
}

/// Port: where the encrypted drafts of guided intakes wait, ciphertext only, each under its owner's uid, until the
/// testimony is sent, the draft is discarded or it expires. amanatd's is files beside the database
/// (``AmanatStore/DraftFileStore``). A save returns once it is durable; every method throws ``StoreError``
/// (`diskFull` for a full disk; anything else is internal).
public protocol DraftStore: Sendable {
    /// The limits this store keeps.
    var limits: DraftLimits { get }
    /// Replaces (or creates) `ownerUID`'s draft `id` with `ciphertext`, durably, and restarts its expiry. False, with
    /// nothing changed, when the draft is new and the uid holds ``DraftLimits/maxPerOwner`` drafts already.
    func save(ownerUID: UInt32, id: DraftID, ciphertext: [UInt8]) async throws(StoreError) -> Bool
    /// `ownerUID`'s draft `id`, or nil when there is none (or it has expired).
    func load(ownerUID: UInt32, id: DraftID) async throws(StoreError) -> [UInt8]?
    /// Removes `ownerUID`'s draft `id`; false when there was none.
    func remove(ownerUID: UInt32, id: DraftID) async throws(StoreError) -> Bool
    /// Removes every draft whose expiry has passed; returns how many.
    func removeExpired() async throws(StoreError) -> Int
}

public import AmanatCrypto

/// A ledger entry named by its sequence number and hash: the head of an archive as `amanat export` prints it
/// and `amanat-keyholder verify` checks it (docs/FORMAT.md §12.9).
///
/// Text form: `SEQ:HASH`, the decimal sequence number (no sign, no leading zero; 0 for an empty ledger, whose
/// hash is the genesis hash), a colon, and the 64 lowercase hex digits of the entry hash.
public struct LedgerHead: Sendable, Hashable, CustomStringConvertible {
    /// The entry's sequence number.
    public var seq: Int64
    /// The entry's hash (32 bytes).
    public var hash: [UInt8]

    /// A head.
    public init(seq: Int64, hash: [UInt8]) {
        self.seq = seq
        self.hash = hash
    }

    /// Parses the text form; nil when it is not exactly `SEQ:HASH`.
    public init?(text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, String(seq) == parts[0],
              parts[1].utf8.count == 64, let hash = Hex.decode(parts[1])
        else { return nil }
        self.init(seq: seq, hash: hash)
    }

    /// `SEQ:HASH`.
    public var text: String { "\(seq):\(Hex.encode(hash))" }

    public var description: String { text }
}

public import AmanatFormat

/// A new envelope for one attachment or addendum of a record, from a rewrap file (FORMAT.md section 9): the row
/// keeps everything else, its stream included.
public struct EvidenceReplacement: Sendable {
    /// The table.
    public var kind: RewrapFile.EvidenceEntry.Kind
    /// The row's attachment or addendum id.
    public var id: EvidenceID
    /// The new envelope.
    public var envelope: [UInt8]
    /// The ledger digest (FORMAT.md §12.4) the live row must still have.
    public var replaces: [UInt8]
    /// The rewrap file's line that named it, for a refusal.
    public var line: Int

    /// A replacement.
    public init(kind: RewrapFile.EvidenceEntry.Kind, id: EvidenceID, envelope: [UInt8], replaces: [UInt8], line: Int) {
        self.kind = kind
        self.id = id
        self.envelope = envelope
        self.replaces = replaces
        self.line = line
    }
}

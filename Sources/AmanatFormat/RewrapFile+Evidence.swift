import AmanatJSON
import AmanatCrypto

extension RewrapFile {
    /// One attachment's or addendum's new envelope: an attachment line
    /// `{"attachment_id":"<hex>","envelope":"<base64>","record_id":"<hex>","replaces":"<hex digest>"}` or an
    /// addendum line with `addendum_id` in its place (FORMAT.md section 9.1, version 2). `replaces` is the row's
    /// ledger digest (FORMAT.md section 12.4) as the copy held it: amanatd replaces the envelope only while the
    /// live row still has that digest.
    public struct EvidenceEntry: Sendable, Equatable {
        /// Which table the row is in.
        public enum Kind: String, Sendable, CaseIterable {
            /// A row of `attachments`: the envelope holds the file's key and metadata; the stream stays as it is.
            case attachment
            /// A row of `addenda`.
            case addendum

            /// The line's member naming the row.
            var idMember: String { rawValue + "_id" }

            /// The envelope name the line's envelope must have.
            var envelopeName: Envelope.Name { self == .attachment ? .attachment : .addendum }
        }

        /// An attachment or an addendum, by its id: a file names each at most once.
        struct Key: Hashable {
            var kind: Kind
            var id: EvidenceID
        }

        /// The table.
        public var kind: Kind
        /// The row's attachment or addendum id.
        public var id: EvidenceID
        /// The record it belongs to, which the envelope is bound to.
        public var recordID: RecordID
        /// The new envelope.
        public var envelope: [UInt8]
        /// The row's ledger digest in the copy the file was made from.
        public var replaces: [UInt8]

        /// An entry.
        public init(kind: Kind, id: EvidenceID, recordID: RecordID, envelope: [UInt8], replaces: [UInt8]) {
            self.kind = kind
            self.id = id
            self.recordID = recordID
            self.envelope = envelope
            self.replaces = replaces
        }

        var key: Key { Key(kind: kind, id: id) }

        /// The line, canonical JSON and LF.
        func encodedLine() -> [UInt8] {
            JSONValue.object([
                kind.idMember: .string(id.hex), "envelope": .string(Base64.encode(envelope)),
                "record_id": .string(recordID.text), "replaces": .string(Hex.encode(replaces)),
            ]).canonicalBytes() + [0x0A]
        }

        /// Reads line `number`, an object holding `kind`'s id member (checks 7b to 11b of FORMAT.md section 9.3).
        init(kind: Kind, line object: [String: JSONValue], number: Int) throws(RewrapFileError) {
            guard object.count == 4, case .string(let idText)? = object[kind.idMember],
                let id = EvidenceID(hex: idText), id.hex == idText,
                case .string(let recordText)? = object["record_id"], let recordID = RecordID(text: recordText),
                case .string(let replacesText)? = object["replaces"], replacesText.utf8.count == 64,
                let replaces = Hex.decode(replacesText), Hex.encode(replaces) == replacesText,
                let value = object["envelope"]
            else { throw RewrapFileError("line \(number) is not an \(kind.rawValue) line") }
            let envelope = try RewrapFile.envelope(value, named: kind.envelopeName, of: recordID, line: number)
            self.init(kind: kind, id: id, recordID: recordID, envelope: envelope, replaces: replaces)
        }
    }
}

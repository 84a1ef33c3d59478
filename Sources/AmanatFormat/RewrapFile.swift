import AmanatForms
import AmanatJSON
public import AmanatCrypto

/// A rewrap file (docs/FORMAT.md, "Rewrap file"): new envelopes for existing records, made offline by
/// `amanat-keyholder rewrap` and imported by an admin with `amanat import-rewrap`.
///
/// ```
/// {"format":"amanat-rewrap-1","records":N}
/// {"identity":"<base64 envelope>","record_id":"<hex>","replaces":"<hex digest>","testimony":"<base64 envelope>"}   × N
/// {"digest":"<hex BLAKE2b-256 of every byte above>","signature":"<base64 Ed25519>","signer":"amanat-sig-…"}
/// ```
/// Every line is canonical JSON ending in LF. A record line names at least one of the two sections, and
/// `replaces`: the record's ledger digest (FORMAT.md §12.4) as the copy held it. amanatd replaces a record
/// only while its live row still has that digest, so a file made from an altered copy, or one imported
/// a second time, is refused.
///
/// Version 2 (`{"format":"amanat-rewrap-2","lines":N}`) adds attachment and addendum lines
/// (``EvidenceEntry``), each with the row's own `replaces`; a file without them is written as version 1, so
/// that it stays what it was.
public struct RewrapFile: Sendable, Equatable {
    /// One record's new envelopes.
    public struct Entry: Sendable, Equatable {
        /// The record.
        public var recordID: RecordID
        /// The new identity envelope, if it is replaced.
        public var identity: [UInt8]?
        /// The new testimony envelope, if it is replaced.
        public var testimony: [UInt8]?
        /// The record's ledger digest in the copy the file was made from: what the live row must still be.
        public var replaces: [UInt8]

        /// An entry.
        public init(recordID: RecordID, identity: [UInt8]?, testimony: [UInt8]?, replaces: [UInt8]) {
            self.recordID = recordID
            self.identity = identity
            self.testimony = testimony
            self.replaces = replaces
        }
    }

    /// The format's name in the header line of a file with record lines only.
    public static let format = "amanat-rewrap-1"
    /// The format's name in the header line of a file with attachment or addendum lines.
    public static let formatWithEvidence = "amanat-rewrap-2"

    /// A key holder's signature over the file (FORMAT.md §9.1): amanatd imports only a file signed by a key in its
    /// `rewrap_signers`.
    public struct Signature: Sendable, Equatable {
        /// The key holder's rewrap-signing key.
        public var signer: SigningPublicKey
        /// Ed25519 over ``Ledger/rewrapMessage(signer:digest:)``.
        public var bytes: [UInt8]

        /// A signature.
        public init(signer: SigningPublicKey, bytes: [UInt8]) {
            self.signer = signer
            self.bytes = bytes
        }
    }

    /// The records, in file order.
    public var entries: [Entry]
    /// The attachments' and addenda's new envelopes, in file order (version 2).
    public var evidence: [EvidenceEntry]
    /// The line number of each of ``entries``, then of each of ``evidence``, as read; empty for a file made here,
    /// whose record lines come first.
    private var lineNumbers: [Int] = []
    /// The trailer's signature; nil for an unsigned file, which amanatd refuses.
    public private(set) var signature: Signature?
    /// The digest of every line above the trailer.
    public private(set) var digest: [UInt8] = []

    /// A file with `entries` and `evidence`.
    public init(entries: [Entry], evidence: [EvidenceEntry] = []) {
        self.entries = entries
        self.evidence = evidence
    }

    /// The line (the header is line 1) of record line `index` of ``entries``: for naming it in a refusal.
    public func line(ofEntry index: Int) -> Int {
        lineNumbers.isEmpty ? index + 2 : lineNumbers[index]
    }

    /// The line of ``evidence`` `index`.
    public func line(ofEvidence index: Int) -> Int {
        lineNumbers.isEmpty ? entries.count + index + 2 : lineNumbers[entries.count + index]
    }

    /// Whether the file is signed by `signer` (and the signature verifies).
    public func isSigned(by signer: SigningPublicKey) -> Bool {
        guard let signature, signature.signer == signer else { return false }
        return signer.isValidSignature(signature.bytes, of: Ledger.rewrapMessage(signer: signer, digest: digest))
    }

    /// The file's bytes, signed by `signer` through `sign`, which gets the message to sign
    /// (``Ledger/rewrapMessage(signer:digest:)``) and returns the Ed25519 signature.
    public func encoded(signedBy signer: SigningPublicKey, sign: ([UInt8]) throws -> [UInt8]) rethrows -> [UInt8] {
        let body = encodedBody()
        let digest = BLAKE2b.hash256(body)
        let signature = try sign(Ledger.rewrapMessage(signer: signer, digest: digest))
        return body + JSONValue.object([
            "digest": .string(Hex.encode(digest)), "signature": .string(Base64.encode(signature)),
            "signer": .string(signer.text),
        ]).canonicalBytes() + [0x0A]
    }

    /// The file's bytes, unsigned (for tests of the refusal).
    public func encoded() -> [UInt8] {
        let out = encodedBody()
        let digest = Hex.encode(BLAKE2b.hash256(out))
        return out + JSONValue.object(["digest": .string(digest)]).canonicalBytes() + [0x0A]
    }

    /// The header and record lines.
    private func encodedBody() -> [UInt8] {
        let lines = JSONValue.number(String(entries.count + evidence.count))
        let header: JSONValue = evidence.isEmpty
            ? .object(["format": .string(Self.format), "records": lines])
            : .object(["format": .string(Self.formatWithEvidence), "lines": lines])
        var out = header.canonicalBytes() + [0x0A]
        for entry in entries {
            var object: [String: JSONValue] = [
                "record_id": .string(entry.recordID.text), "replaces": .string(Hex.encode(entry.replaces)),
            ]
            if let identity = entry.identity { object["identity"] = .string(Base64.encode(identity)) }
            if let testimony = entry.testimony { object["testimony"] = .string(Base64.encode(testimony)) }
            out += JSONValue.object(object).canonicalBytes() + [0x0A]
        }
        for entry in evidence { out += entry.encodedLine() }
        return out
    }

    /// Parses and checks a rewrap file: the digest first, so that a file altered anywhere is refused whole,
    /// then every line and every envelope's structure, section and record binding.
    public init(decoding bytes: [UInt8]) throws(RewrapFileError) {
        guard bytes.last == 0x0A else { throw RewrapFileError("the file does not end with a complete line") }
        let lines = bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        guard lines.count >= 3 else { throw RewrapFileError("the file holds no records") }
        let body = Array(bytes[0..<(bytes.count - lines[lines.count - 1].count - 1)])
        guard case .object(let trailer)? = try? JSONParser(maxDepth: 2).parse(lines[lines.count - 1]),
            case .string(let digest)? = trailer["digest"],
            trailer.count == 1 || (trailer.count == 3 && trailer["signature"] != nil && trailer["signer"] != nil)
        else { throw RewrapFileError("the last line is not the digest") }
        self.digest = BLAKE2b.hash256(body)
        guard digest == Hex.encode(self.digest) else {
            throw RewrapFileError("the digest does not match: the file was altered or truncated")
        }
        if trailer.count == 3 {
            guard case .string(let signerText)? = trailer["signer"], let signer = try? SigningPublicKey(text: signerText),
                case .string(let signatureText)? = trailer["signature"], let bytes = Base64.decode(signatureText),
                bytes.count == SigningPublicKey.signatureLength
            else { throw RewrapFileError("the last line's signer or signature is malformed") }
            signature = Signature(signer: signer, bytes: bytes)
        }
        for (index, line) in lines.enumerated() {
            // Canonical JSON only, so that one set of envelopes has exactly one file.
            guard let value = try? JSONParser(maxDepth: 2).parse(line), value.canonicalBytes() == line else {
                throw RewrapFileError("line \(index + 1) is not canonical JSON")
            }
        }
        let version2 = Self.isHeader(lines[0], format: Self.formatWithEvidence, count: "lines", lines: lines.count - 2)
        guard version2 || Self.isHeader(lines[0], format: Self.format, count: "records", lines: lines.count - 2) else {
            let named = (try? JSONParser(maxDepth: 2).parse(lines[0]))?["format"] == .string(Self.formatWithEvidence)
            throw RewrapFileError(
                "the first line is not an \(named ? Self.formatWithEvidence : Self.format) header with the right count"
            )
        }
        var entries: [Entry] = []
        var evidence: [EvidenceEntry] = []
        var entryLines: [Int] = []
        var evidenceLines: [Int] = []
        var seen: Set<RecordID> = []
        var seenEvidence: Set<EvidenceEntry.Key> = []
        for (index, line) in lines[1..<(lines.count - 1)].enumerated() {
            let number = index + 2
            guard case .object(let object)? = try? JSONParser(maxDepth: 2).parse(line) else {
                throw RewrapFileError("line \(number) is not a record line")
            }
            if version2, let kind = EvidenceEntry.Kind.allCases.first(where: { object[$0.idMember] != nil }) {
                let entry = try EvidenceEntry(kind: kind, line: object, number: number)
                guard seenEvidence.insert(entry.key).inserted else {
                    throw RewrapFileError("line \(number) repeats an \(kind.rawValue)")
                }
                evidence.append(entry)
                evidenceLines.append(number)
                continue
            }
            guard
                case .string(let idText)? = object["record_id"], let recordID = RecordID(text: idText),
                case .string(let replacesText)? = object["replaces"], replacesText.utf8.count == 64,
                let replaces = Hex.decode(replacesText),
                Set(object.keys).isSubset(of: ["record_id", "replaces", "identity", "testimony"]), object.count >= 3
            else { throw RewrapFileError("line \(number) is not a record line") }
            guard seen.insert(recordID).inserted else { throw RewrapFileError("line \(number) repeats a record") }
            var entry = Entry(recordID: recordID, identity: nil, testimony: nil, replaces: replaces)
            for section in Section.sealed {
                guard let value = object[section.rawValue] else { continue }
                let envelope = try Self.envelope(value, named: Envelope.Name(section), of: recordID, line: number)
                if section == .identity { entry.identity = envelope } else { entry.testimony = envelope }
            }
            entries.append(entry)
            entryLines.append(number)
        }
        self.entries = entries
        self.evidence = evidence
        self.lineNumbers = entryLines + evidenceLines
    }

    /// The envelope a line's member holds, once it is base64 of an envelope (FORMAT.md section 6.3) named `name`
    /// and bound to `recordID` (checks 9 to 11, and 9b to 11b).
    static func envelope(
        _ value: JSONValue, named name: Envelope.Name, of recordID: RecordID, line number: Int
    ) throws(RewrapFileError) -> [UInt8] {
        guard case .string(let text) = value, let envelope = Base64.decode(text) else {
            throw RewrapFileError("line \(number): the \(name.rawValue) envelope is not base64")
        }
        let parsed: Envelope
        do {
            parsed = try Envelope(decoding: envelope)
        } catch {
            throw RewrapFileError("line \(number): the \(name.rawValue) envelope: \(error)")
        }
        guard parsed.name == name, parsed.recordID == recordID else {
            throw RewrapFileError("line \(number): the \(name.rawValue) envelope belongs elsewhere")
        }
        return envelope
    }

    /// Whether `line` is a header of `format` whose `count` member is `lines`, and has no other member.
    private static func isHeader(_ line: [UInt8], format: String, count: String, lines: Int) -> Bool {
        guard case .object(let header)? = try? JSONParser(maxDepth: 2).parse(line), header.count == 2,
            header["format"] == .string(format), case .number(let countText)? = header[count],
            let number = Int(countText), String(number) == countText
        else { return false }
        return number == lines
    }
}

/// Why a rewrap file was refused. Names line numbers, never envelope bytes.
public struct RewrapFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line, lowercase.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

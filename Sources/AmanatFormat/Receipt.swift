public import AmanatJSON
public import AmanatCrypto

/// What amanatd hands back for a stored testimony: proof that the archive holds the record at a position
/// in its ledger, signed with the site's receipt key. It names no one: an id, a number and two hashes.
///
/// JSON form (docs/FORMAT.md, "Receipts"): `{"entry_hash": hex, "record_id": hex, "seq": n,
/// "signature": base64, "signing_key": "amanat-sig-…", "v": 1}`.
public struct Receipt: Sendable, Equatable {
    /// The record.
    public var recordID: RecordID
    /// Its ledger entry's sequence number.
    public var seq: Int64
    /// Its ledger entry's hash.
    public var entryHash: [UInt8]
    /// The key that signed it.
    public var signingKey: SigningPublicKey
    /// Ed25519 over ``Ledger/receiptMessage(signingKey:recordID:seq:entryHash:)``.
    public var signature: [UInt8]

    /// Signs a receipt for the entry.
    public init(signing key: some Notary, recordID: RecordID, seq: Int64, entryHash: [UInt8]) {
        self.recordID = recordID
        self.seq = seq
        self.entryHash = entryHash
        self.signingKey = key.publicKey
        self.signature = key.sign(
            Ledger.receiptMessage(signingKey: key.publicKey, recordID: recordID, seq: seq, entryHash: entryHash)
        )
    }

    /// The JSON object.
    public var json: JSONValue {
        .object([
            "v": .number("1"), "record_id": .string(recordID.text), "seq": .number(String(seq)),
            "entry_hash": .string(Hex.encode(entryHash)), "signing_key": .string(signingKey.text),
            "signature": .string(Base64.encode(signature)),
        ])
    }

    /// Reads the JSON object; nil with a reason when it is not a well-formed receipt.
    public init(json: JSONValue) throws(ReceiptError) {
        guard case .object(let members) = json else { throw ReceiptError("a receipt is a JSON object") }
        let known: Set<String> = ["v", "record_id", "seq", "entry_hash", "signing_key", "signature"]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw ReceiptError("unknown member \"\(unknown)\"")
        }
        guard members["v"] == .number("1") else { throw ReceiptError("not a version 1 receipt") }
        guard let idText = members["record_id"]?.stringValue, let recordID = RecordID(text: idText) else {
            throw ReceiptError("record_id must be 32 lowercase hex digits")
        }
        guard case .number(let seqText)? = members["seq"], let seq = Int64(seqText), seq >= 1 else {
            throw ReceiptError("seq must be a positive integer")
        }
        guard let hashText = members["entry_hash"]?.stringValue, hashText.utf8.count == 64,
              let entryHash = Hex.decode(hashText), Hex.encode(entryHash) == hashText
        else {
            throw ReceiptError("entry_hash must be 64 lowercase hex digits")
        }
        guard let keyText = members["signing_key"]?.stringValue, let key = try? SigningPublicKey(text: keyText) else {
            throw ReceiptError("signing_key is not an amanat-sig- key")
        }
        guard let signatureText = members["signature"]?.stringValue, let signature = Base64.decode(signatureText),
              signature.count == SigningPublicKey.signatureLength
        else {
            throw ReceiptError("signature must be 64 bytes in base64")
        }
        self.recordID = recordID
        self.seq = seq
        self.entryHash = entryHash
        self.signingKey = key
        self.signature = signature
    }

    /// Whether the receipt was signed by `key`. A receipt naming another key fails.
    public func isValid(for key: SigningPublicKey) -> Bool {
        key == signingKey && key.isValidSignature(
            signature, of: Ledger.receiptMessage(signingKey: key, recordID: recordID, seq: seq, entryHash: entryHash)
        )
    }
}

/// Why a receipt could not be read.
public struct ReceiptError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The one-time token with which a witness can withdraw a testimony: 32 random bytes, shown once.
/// The database keeps only a keyed hash of it.
///
/// Text form: `amanat-wt-` followed by lowercase unpadded base32 of the 32 bytes.
public enum WithdrawalToken {
    /// The text prefix.
    public static let prefix = "amanat-wt-"
    /// The number of random bytes.
    public static let length = 32

    /// A fresh token: its text and its keyed hash for `recordID` under `key`.
    public static func make(for recordID: RecordID, key: some Notary) throws(CryptoError) -> (text: String, hash: [UInt8]) {
        var bytes = randomBytes(length)
        defer { wipe(&bytes) }
        return (prefix + Base32.encode(bytes), try hash(bytes, for: recordID, key: key))
    }

    /// The raw bytes of a token's text; nil when it is not one.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard text.hasPrefix(prefix) else { return nil }
        let body = Substring(text).dropFirst(prefix.count)
        guard body.utf8.count == 52, let bytes = Base32.decode(body), bytes.count == length else { return nil }
        return bytes
    }

    /// The keyed hash stored for a token: BLAKE2b-256 keyed with a key derived from the receipt key, over
    /// the record id and the token, so the database alone cannot test guesses.
    public static func hash(_ token: [UInt8], for recordID: RecordID, key: some Notary) throws(CryptoError) -> [UInt8] {
        try key.derivedKeyedHash(
            domain: "amanat-withdrawal-key-v1", Array("amanat-withdrawal-token-v1".utf8), recordID.bytes, token
        )
    }
}

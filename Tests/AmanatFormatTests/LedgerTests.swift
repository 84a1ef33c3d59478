import AmanatSigning
import AmanatCrypto
import AmanatFormat
import AmanatJSON
import Testing

/// The ledger, checkpoint, receipt and token formats of docs/FORMAT.md section 12, against values computed
/// independently with hashlib and PyNaCl (Tests/Vectors/ledger.py).
@Suite("Ledger formats") struct LedgerTests {
    static let key: SigningKey = {
        try! Sodium.initialise()
        let seed = try! SecretBytes(count: 32)
        seed.withUnsafeMutableBytes { bytes in for index in 0..<32 { bytes[index] = UInt8(index + 1) } }
        return try! SigningKey(seed: seed)
    }()
    static let recordID = RecordID(text: "00112233445566778899aabbccddeeff")!

    static func hex(_ text: String) -> [UInt8] { Hex.decode(text)! }

    @Test func keyAndGenesisMatchTheVectors() throws {
        #expect(Hex.encode(Self.key.publicKey.bytes) == "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664")
        #expect(Self.key.publicKey.text == "amanat-sig-pg2vmlup4zkpsqdywejorkmlu6ib7bj242k35v7a4oiqxlieszsek6qwvm")
        #expect(try SigningPublicKey(text: Self.key.publicKey.text) == Self.key.publicKey)
        #expect(Hex.encode(Ledger.genesis(Self.key.publicKey)) == "9ac029f981f61c0ecd60a14a940ed61ce92a6baccb41eb453fe12668a6307081")
    }

    @Test func entriesMatchTheVectors() {
        let digest = Ledger.recordDigest(
            recordID: Self.recordID, formID: "testimony", formVersion: 1, received: "2026-11-29",
            clearJSON: #"{"language":"kk"}"#, identityEnvelope: [1, 2, 3], testimonyEnvelope: [4, 5]
        )
        #expect(Hex.encode(digest) == "b8bc5356bc95a5cc12c928660cf3fe9343c409e51279e836bbb0c31a0cebe046")
        let first = LedgerEntry(seq: 1, kind: .record, recordID: Self.recordID, contentDigest: digest, prevHash: Ledger.genesis(Self.key.publicKey))
        #expect(Hex.encode(first.entryHash) == "b7e0d80a0c229f6e0ddc0c19e7fba65dbdc8e98a3603d0e13b4bee26d9fb355d")
        let withdrawn = Ledger.withdrawnDigest(recordID: Self.recordID, formID: "testimony", formVersion: 1, received: "2026-11-29")
        #expect(Hex.encode(withdrawn) == "8a1fe6aba955d2ada267c657d2f7e14f8067c83901c0044d8b041cec8fd4f462")
        let second = LedgerEntry(seq: 2, kind: .withdrawal, recordID: Self.recordID, contentDigest: withdrawn, prevHash: first.entryHash)
        #expect(Hex.encode(second.entryHash) == "420af65288e542050c4b583aafb2eda232c10cd20ec09bf1812cf4e1205e2f0c")
    }

    @Test func aRewrapEntryNamesItsSignerAndTheFileSignatureMatchesTheVector() {
        let digest = Self.hex("b8bc5356bc95a5cc12c928660cf3fe9343c409e51279e836bbb0c31a0cebe046")
        let previous = Self.hex("420af65288e542050c4b583aafb2eda232c10cd20ec09bf1812cf4e1205e2f0c")
        let signed = LedgerEntry(
            seq: 3, kind: .rewrap, recordID: Self.recordID, contentDigest: digest, prevHash: previous, signer: Self.key.publicKey
        )
        #expect(Hex.encode(signed.entryHash) == "2f886fdb22567a4e4635a5475edb9cf554b58562c6e5be7d4722f4d9c6986457")
        // Without a signer (imported before rewrap files were signed) the hash ends at prev_hash, as for other kinds.
        let unsigned = LedgerEntry(seq: 3, kind: .rewrap, recordID: Self.recordID, contentDigest: digest, prevHash: previous)
        #expect(unsigned.entryHash != signed.entryHash)
        let message = Ledger.rewrapMessage(signer: Self.key.publicKey, digest: (0..<32).map(UInt8.init))
        let signature = Self.key.sign(message)
        #expect(Hex.encode(signature) == "636d642a3b393d159c5aa2f5b7c70117f20d6990a5768fa7537e538f81caaddac249a86942360cd221e93027a906afdeeeb3947a30c92695fc327f881558f307")
        #expect(Self.key.publicKey.isValidSignature(signature, of: message))
    }

    /// Kinds 4 and 5 (FORMAT.md sections 12.3 and 12.4): an attachment's digest covers its row and its stream's
    /// hash, an addendum's its row, and each entry chains on as any other.
    @Test func attachmentAndAddendumEntriesMatchTheVectors() {
        let attachmentID = EvidenceID(bytes: Array(0x10..<0x20))!
        let addendumID = EvidenceID(bytes: Array(0x20..<0x30))!
        let streamHash = SHA256.hash(Array("stream".utf8))
        #expect(Hex.encode(streamHash) == "dca83e717b1f64eb141057a7415a330ad1361f51703efa2e4776f40047898a04")
        let attachment = Ledger.attachmentDigest(
            recordID: Self.recordID, attachmentID: attachmentID, position: 1, sealedTo: .identity, envelope: [6, 7, 8],
            storedSize: 1070, ciphertextSHA256: streamHash
        )
        #expect(Hex.encode(attachment) == "d348db3cb86f03fecec6c68a6910ec56daef9a81d61a93b492f918525abbd7f8")
        let first = Self.hex("b7e0d80a0c229f6e0ddc0c19e7fba65dbdc8e98a3603d0e13b4bee26d9fb355d")
        let second = LedgerEntry(seq: 2, kind: .attachment, recordID: Self.recordID, contentDigest: attachment, prevHash: first)
        #expect(Hex.encode(second.entryHash) == "830e275cc7f91f6b167d89642aaa09aa43aa1b6637955b678c46024b7ebcc460")
        let addendum = Ledger.addendumDigest(recordID: Self.recordID, addendumID: addendumID, position: 1, envelope: [9])
        #expect(Hex.encode(addendum) == "4ad93126dda2dbcac8b8ef3abbf256e37fb13bb6623a57f6ea7b873424a92715")
        let third = LedgerEntry(seq: 3, kind: .addendum, recordID: Self.recordID, contentDigest: addendum, prevHash: second.entryHash)
        #expect(Hex.encode(third.entryHash) == "40366f29494798a005ac955a9b4c3db94272b02c3a0cc89165d576366e8755ad")
        // Position and sealed_to are covered: the same file at position 2, sealed to the testimony section.
        let moved = Ledger.attachmentDigest(
            recordID: Self.recordID, attachmentID: attachmentID, position: 2, sealedTo: .testimony, envelope: [6, 7, 8],
            storedSize: 1070, ciphertextSHA256: streamHash
        )
        #expect(Hex.encode(moved) == "f2d0c110fedca68ae1977eeb666edce9a0ef2a908e545e55caa137d2dc80e92d")
    }

    @Test func signaturesAndTokenHashMatchTheVectors() throws {
        let head = Self.hex("420af65288e542050c4b583aafb2eda232c10cd20ec09bf1812cf4e1205e2f0c")
        let checkpoint = Checkpoint(signing: Self.key, ledgerSeq: 2, headHash: head, recordCount: 1)
        #expect(Hex.encode(checkpoint.signature) == "6b4b303628a85a0822e8b12a861c9d3339c36ac7825f8354bb7a6f587a4ef49e41cf0ed1da02fb18ad8705ac5951eb08c3a8fc55a2d5244d13c164a496fcd40b")
        #expect(checkpoint.isSigned(by: Self.key.publicKey))
        var other = checkpoint
        other.recordCount = 2
        #expect(!other.isSigned(by: Self.key.publicKey))

        let entry = Self.hex("b7e0d80a0c229f6e0ddc0c19e7fba65dbdc8e98a3603d0e13b4bee26d9fb355d")
        let receipt = Receipt(signing: Self.key, recordID: Self.recordID, seq: 1, entryHash: entry)
        #expect(Hex.encode(receipt.signature) == "5b00dfc337ae51845cd0fe9ce021126dfa9835374ff353150ffb6ef7b18d4c3a4da5641323c00d6b68888c73925b199a49bc62186bd4e0dfa8dca2f49326ef04")

        let tokenHash = try WithdrawalToken.hash([UInt8](repeating: 0xAA, count: 32), for: Self.recordID, key: Self.key)
        #expect(Hex.encode(tokenHash) == "f747dc3a58eee6a7c78b5f31feef5d2ae9bb35f55c078cab0590e579c8582e92")
    }

    @Test func aReceiptVerifiesAndFailsAfterAnyChange() throws {
        let receipt = Receipt(signing: Self.key, recordID: Self.recordID, seq: 7, entryHash: [UInt8](repeating: 9, count: 32))
        let text = receipt.json.canonicalBytes()
        let reread = try Receipt(json: try JSONParser().parse(text))
        #expect(reread == receipt)
        #expect(reread.isValid(for: Self.key.publicKey))
        // Every single-character change either stops it parsing as a receipt or breaks the signature.
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/=".utf8)
        var checked = 0
        for index in text.indices {
            for replacement in [alphabet[index % alphabet.count], alphabet[(index * 7 + 3) % alphabet.count]] where replacement != text[index] {
                var changed = text
                changed[index] = replacement
                guard let value = try? JSONParser().parse(changed), let parsed = try? Receipt(json: value) else { continue }
                checked += 1
                #expect(!parsed.isValid(for: Self.key.publicKey), "a change at byte \(index) still verifies")
            }
        }
        #expect(checked > 100, "the changes must reach the signed members")
        // Another site's key does not accept it.
        let otherSeed = try SecretBytes.random(count: 32)
        #expect(!receipt.isValid(for: try SigningKey(seed: otherSeed).publicKey))
    }

    @Test func malformedReceiptsAreRefusedWithAReason() throws {
        let good = Receipt(signing: Self.key, recordID: Self.recordID, seq: 1, entryHash: [UInt8](repeating: 1, count: 32)).json
        guard case .object(let members) = good else { Issue.record("not an object"); return }
        // Each fault is refused with the reason that names it, not just any ReceiptError.
        let faults: [(member: String, value: JSONValue, reason: String)] = [
            ("seq", .number("0"), "seq must be a positive integer"),
            ("entry_hash", .string("zz"), "entry_hash must be 64 lowercase hex digits"),
            ("v", .number("2"), "not a version 1 receipt"),
            ("signing_key", .string("amanat-pk-x"), "signing_key is not an amanat-sig- key"),
            ("extra", .null, "unknown member \"extra\""),
            ("signature", .string("AAAA"), "signature must be 64 bytes in base64"),
            ("record_id", .string("ABC"), "record_id must be 32 lowercase hex digits"),
        ]
        for fault in faults {
            var changed = members
            changed[fault.member] = fault.value
            do {
                _ = try Receipt(json: .object(changed))
                Issue.record("a receipt with a bad \(fault.member) was accepted")
            } catch {
                #expect(error.description == fault.reason)
            }
        }
    }

    @Test func withdrawalTokensRoundTripAndRejectOtherText() throws {
        let made = try WithdrawalToken.make(for: Self.recordID, key: Self.key)
        #expect(made.text.hasPrefix("amanat-wt-") && made.text.count == 62)
        let bytes = try #require(WithdrawalToken.decode(made.text))
        #expect(try WithdrawalToken.hash(bytes, for: Self.recordID, key: Self.key) == made.hash)
        let otherID = RecordID(text: "ffeeddccbbaa99887766554433221100")!
        #expect(try WithdrawalToken.hash(bytes, for: otherID, key: Self.key) != made.hash)
        #expect(WithdrawalToken.decode(made.text.uppercased()) == nil)
        #expect(WithdrawalToken.decode(String(made.text.dropLast())) == nil)
        #expect(WithdrawalToken.decode("amanat-pk-" + made.text.dropFirst(10)) == nil)
    }
}

import AmanatCrypto
@testable import AmanatKeys
import Testing

/// The byte-based SLIP-39 API: mnemonics in protected memory, parsed in place.
@Suite struct SLIP39BytesTests {
    /// A fixed 32-byte TEST-ONLY secret.
    private static let testSecret: [UInt8] = BLAKE2b.hash256(Array("amanat slip39 bytes test secret".utf8))

    private func bytes(_ secret: SecretBytes) -> [UInt8] {
        secret.withUnsafeBytes { Array($0) }
    }

    private func text(_ secret: SecretBytes) -> String {
        secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Combines mnemonics given as raw bytes; the outer `throws` is only for setting up the arguments.
    private func combine(_ mnemonics: [[UInt8]], passphrase: String) throws -> Result<[UInt8], SLIP39Error> {
        let protected = try mnemonics.map { try secret($0) }
        let phrase = try secret(passphrase)
        return Result { () throws(SLIP39Error) in
            bytes(try SLIP39.combine(mnemonicBytes: protected, passphrase: phrase))
        }
    }

    private func combine(_ mnemonics: [String], passphrase: String) throws -> Result<[UInt8], SLIP39Error> {
        try combine(mnemonics.map { Array($0.utf8) }, passphrase: passphrase)
    }

    @Test func splitMnemonicsRoundTripAndAreSingleSpacedWithoutALineEnding() throws {
        let mnemonics = try SLIP39.splitMnemonics(
            secret: try secret(Self.testSecret), threshold: 3, shares: 5, passphrase: try secret("pass"),
            iterationExponent: 0
        )
        #expect(mnemonics.count == 5)
        for mnemonic in mnemonics {
            let raw = bytes(mnemonic)
            #expect(raw.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).count == 33)
            #expect(raw.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: " ") })
            #expect(raw.first != UInt8(ascii: " ") && raw.last != UInt8(ascii: " "))
            #expect(try SLIP39.inspect(mnemonicBytes: mnemonic).memberThreshold == 3)
        }
        let recovered = try SLIP39.combine(
            mnemonicBytes: [mnemonics[4], mnemonics[0], mnemonics[2]], passphrase: try secret("pass")
        )
        #expect(bytes(recovered) == Self.testSecret)
        // The String API reads the same mnemonics.
        #expect(try SLIP39.combine(mnemonics: mnemonics.prefix(3).map(text), passphrase: try secret("pass"))
            == recovered)
        let tooFew = try combine(mnemonics.prefix(2).map(bytes), passphrase: "pass")
        #expect(tooFew.failureKind == .tooFewShares(provided: 2, required: 3))
    }

    /// With the reference implementation's random bytes, the byte API makes the reference's words.
    @Test(arguments: ReferenceSet.all)
    func splitMnemonicsMatchTheReference(_ set: ReferenceSet) throws {
        let stream = try #require(Hex.decode(set.random))
        var used = 0
        let made = try SLIP39.splitMnemonics(
            secret: try secret(try #require(Hex.decode(set.secret))), groupThreshold: set.groupThreshold,
            groups: set.groups.map { SLIP39.Group(threshold: $0.threshold, count: $0.count) },
            passphrase: try secret(set.passphrase), iterationExponent: set.iterationExponent,
            extendable: set.extendable,
            random: { (count) throws(CryptoError) in
                guard used + count <= stream.count else { throw CryptoError.invalidLength("replayed random stream") }
                let out = try SecretBytes(count: count)
                out.withUnsafeMutableBytes { raw in
                    for index in 0..<count { raw[index] = stream[used + index] }
                }
                used += count
                return out
            }
        )
        #expect(made.map { $0.map(text) } == set.mnemonics)
        #expect(used == stream.count)
    }

    /// Every official vector gives the same secret, or the same error with the same positions, through both APIs;
    /// each valid share re-encodes to its own bytes.
    @Test(arguments: SLIP39Vector.all)
    func officialVectorsGiveWhatTheStringAPIGives(_ vector: SLIP39Vector) throws {
        let phrase = try secret("TREZOR")
        let viaBytes = try combine(vector.mnemonics, passphrase: "TREZOR")
        let viaStrings = Result { () throws(SLIP39Error) in
            bytes(try SLIP39.combine(mnemonics: vector.mnemonics, passphrase: phrase))
        }
        #expect(viaBytes == viaStrings)
        if vector.secretHex.isEmpty {
            #expect(viaBytes.failureKind == SLIP39Tests.expectedFailures[vector.number])
        } else {
            #expect(Hex.encode(try viaBytes.get()) == vector.secretHex)
            for mnemonic in vector.mnemonics {
                let share = try SLIP39.Share(mnemonicBytes: try secret(mnemonic))
                #expect(bytes(try share.mnemonicBytes()) == Array(mnemonic.utf8))
                #expect(try SLIP39.inspect(mnemonicBytes: try secret(mnemonic)) == SLIP39.inspect(mnemonic))
            }
        }
    }

    @Test(arguments: [1, 2, 17, 33])
    func aMistypedWordIsReportedWithItsPosition(_ position: Int) throws {
        let set = try #require(ReferenceSet.all.first)
        var words = set.mnemonics[0][1].split(separator: " ").map(String.init)
        let original = words[position - 1]
        // Not a word: one letter changed.
        words[position - 1] = String(original.dropLast()) + (original.last == "q" ? "x" : "q")
        let notAWord = try combine([set.mnemonics[0][0], words.joined(separator: " ")], passphrase: set.passphrase)
        let error = try #require(notAWord.error)
        #expect(error.kind == .invalidWord && error.mnemonicPosition == 2 && error.wordPosition == position)
        #expect(!error.description.contains(words[position - 1]))

        // Another word of the list: the checksum fails and points at it.
        let index = try #require(SLIP39.wordIndex[original])
        words[position - 1] = SLIP39.wordlist[(index + 1) % 1024]
        let wrongWord = try combine([words.joined(separator: " ")], passphrase: set.passphrase)
        let checksum = try #require(wrongWord.error)
        #expect(checksum.kind == .checksumMismatch && checksum.mnemonicPosition == 1 && checksum.wordPosition == position)

        // Only ASCII whitespace separates words: a no-break space joins two words into one that is not in the list.
        var joined = Array(set.mnemonics[0][1].utf8)
        let firstSpace = try #require(joined.firstIndex(of: UInt8(ascii: " ")))
        joined.replaceSubrange(firstSpace...firstSpace, with: [0xC2, 0xA0])
        let nbsp = try #require(try combine([joined], passphrase: set.passphrase).error)
        #expect(nbsp.kind == .invalidWord && nbsp.wordPosition == 1)
    }

    @Test func extraWhitespaceLineEndingsAndCapitalsAreAccepted() throws {
        let set = try #require(ReferenceSet.all.first)
        let members = Array(set.mnemonics[0].prefix(set.groups[0].threshold))
        let messy = members.enumerated().map { offset, mnemonic in
            let words = mnemonic.split(separator: " ").enumerated().map { index, word in
                index % 2 == offset % 2 ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
            }
            return Array(("\r\n \t" + words.joined(separator: " \t\r\n\u{0B}\u{0C}  ") + "\r\n\n").utf8)
        }
        #expect(Hex.encode(try combine(messy, passphrase: set.passphrase).get()) == set.secret)
        let info = try SLIP39.inspect(mnemonicBytes: try secret(messy[0]))
        #expect(info == (try SLIP39.inspect(members[0])))
        // Nothing but whitespace is no words at all.
        #expect(try combine([Array(" \n\t ".utf8)], passphrase: "").failureKind == .invalidLength(wordCount: 0))
        #expect(try combine([[UInt8]](), passphrase: "").failureKind == .noMnemonics)
    }

    /// The binary search needs the list in byte order; every word, in any ASCII case, maps to its index, and
    /// nothing else does.
    @Test func wordsAreFoundByTheirBytes() {
        let list = SLIP39.wordlistUTF8
        #expect(list.count == 1024)
        #expect(zip(list, list.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) })
        #expect(list.map(\.count).max() == SLIP39.longestWordLength)
        func lookUp(_ word: [UInt8]) -> Int? { word.withUnsafeBytes { SLIP39.indexOfWord($0) } }
        var misses = 0
        for (index, word) in SLIP39.wordlist.enumerated() {
            if lookUp(Array(word.utf8)) != index { misses += 1 }
            if lookUp(Array(word.uppercased().utf8)) != index { misses += 1 }
            if lookUp(Array(word.utf8) + [UInt8(ascii: "s")]) != nil && !SLIP39.wordlist.contains(word + "s") {
                misses += 1
            }
            if lookUp(Array(word.utf8.dropLast())) != nil && !SLIP39.wordlist.contains(String(word.dropLast())) {
                misses += 1
            }
        }
        #expect(misses == 0)
        for word in ["", "zebrafish", "acade", "academics", "acıd", "ACİD", "a c", "acid\0", "acid\n"] {
            #expect(lookUp(Array(word.utf8)) == nil, "\(word)")
        }
        #expect(lookUp([0xFF, 0xFE, 0x61, 0x63]) == nil)
    }
}

extension Result {
    /// The failure, or nil on success.
    fileprivate var error: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}

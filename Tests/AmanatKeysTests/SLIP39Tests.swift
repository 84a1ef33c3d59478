import AmanatCrypto
@testable import AmanatKeys
import Foundation
import Testing

extension SLIP39Error: KindedError {}

// MARK: - Test data

/// Tests/Vectors/slip39/.
private let slip39Directory = Vector.root.appendingPathComponent("slip39")

/// One entry of the official vectors.json: [description, mnemonics, master secret in hex, BIP-32 xprv].
/// An empty secret means that combining must fail. The xprv is not checked: it is a function of the secret.
struct SLIP39Vector: Sendable, CustomTestStringConvertible {
    let title: String
    let number: Int
    let mnemonics: [String]
    let secretHex: String

    var testDescription: String { title }

    static let all: [SLIP39Vector] = {
        let url = slip39Directory.appendingPathComponent("vectors.json")
        guard let data = FileManager.default.contents(atPath: url.path),
            let entries = try? JSONSerialization.jsonObject(with: data) as? [[Any]]
        else { return [] }
        return entries.compactMap { entry in
            guard entry.count == 4, let title = entry[0] as? String, let mnemonics = entry[1] as? [String],
                let secretHex = entry[2] as? String, let number = Int(title.prefix { $0 != "." })
            else { return nil }
            return SLIP39Vector(title: title, number: number, mnemonics: mnemonics, secretHex: secretHex)
        }
    }()
}

/// A set of mnemonics that the reference implementation made (reference.json), with the random bytes it drew.
struct ReferenceSet: Decodable, Sendable, CustomTestStringConvertible {
    struct Group: Decodable, Sendable {
        let threshold: Int
        let count: Int
    }

    let name: String
    let secret: String
    let passphrase: String
    let iterationExponent: Int
    let extendable: Bool
    let groupThreshold: Int
    let groups: [Group]
    let random: String
    let mnemonics: [[String]]

    var testDescription: String { name }

    private struct File: Decodable {
        let sets: [ReferenceSet]
    }

    static let all: [ReferenceSet] = {
        let url = slip39Directory.appendingPathComponent("reference.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return (try? decoder.decode(File.self, from: data).sets) ?? []
    }()
}

/// A set of mnemonics that this implementation made with real randomness (swift-made.json), which generate.py
/// --check combines with the reference implementation.
struct SwiftMadeSet: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let secret: String
    let passphrase: String
    let iterationExponent: Int
    let extendable: Bool
    let threshold: Int
    let mnemonics: [String]

    var testDescription: String { name }

    private struct File: Decodable {
        let sets: [SwiftMadeSet]
    }

    static let all: [SwiftMadeSet] = {
        let url = slip39Directory.appendingPathComponent("swift-made.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return (try? decoder.decode(File.self, from: data).sets) ?? []
    }()
}

/// Replays fixed random bytes, as the reference implementation drew them.
private final class ReplayedRandom {
    private let bytes: [UInt8]
    private(set) var used = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isExhausted: Bool { used == bytes.count }

    func next(_ count: Int) throws(CryptoError) -> SecretBytes {
        guard used + count <= bytes.count else { throw CryptoError.invalidLength("replayed random stream") }
        let out = try SecretBytes(count: count)
        out.withUnsafeMutableBytes { raw in
            for index in 0..<count { raw[index] = bytes[used + index] }
        }
        used += count
        return out
    }
}

private func bytes(_ secret: SecretBytes) -> [UInt8] {
    secret.withUnsafeBytes { Array($0) }
}

/// Combines `mnemonics`; the outer `throws` is only for setting up the passphrase.
private func combine(_ mnemonics: [String], passphrase: String) throws -> Result<[UInt8], SLIP39Error> {
    let phrase = try secret(passphrase)
    return Result { () throws(SLIP39Error) in bytes(try SLIP39.combine(mnemonics: mnemonics, passphrase: phrase)) }
}

/// Splits `secretBytes` into one group; the outer `throws` is only for setting up the arguments.
private func split(
    _ secretBytes: [UInt8], threshold: Int, shares: Int, passphrase: String = "", iterationExponent: Int = 0,
    extendable: Bool = true
) throws -> Result<[String], SLIP39Error> {
    let master = try secret(secretBytes)
    let phrase = try secret(passphrase)
    return Result { () throws(SLIP39Error) in
        try SLIP39.split(
            secret: master, threshold: threshold, shares: shares, passphrase: phrase,
            iterationExponent: iterationExponent, extendable: extendable
        )
    }
}

/// All subsets of `items` with `size` elements, in lexicographic order of positions.
private func subsets<T>(of items: [T], size: Int) -> [[T]] {
    guard size > 0 else { return [[]] }
    guard items.count >= size else { return [] }
    let rest = Array(items.dropFirst())
    return subsets(of: rest, size: size - 1).map { [items[0]] + $0 } + subsets(of: rest, size: size)
}

/// A fixed 32-byte TEST-ONLY secret.
private let testSecret: [UInt8] = BLAKE2b.hash256(Array("amanat slip39 swift test secret".utf8))

@Suite struct SLIP39Tests {
    // MARK: - Official test vectors

    /// What each failing official vector must fail with (vectors.json says only that it fails).
    static let expectedFailures: [Int: SLIP39Error.Kind] = [
        2: .checksumMismatch, 3: .invalidPadding, 5: .tooFewShares(provided: 1, required: 2),
        6: .mismatchedSets(.identifier), 7: .mismatchedSets(.iterationExponent), 8: .mismatchedSets(.groupThreshold),
        9: .mismatchedSets(.groupCount), 10: .groupThresholdExceedsGroupCount, 11: .duplicateMemberIndex,
        12: .mismatchedSets(.memberThreshold), 13: .digestMismatch, 14: .tooFewGroups(provided: 1, required: 2),
        15: .tooFewGroups(provided: 1, required: 2), 16: .tooFewShares(provided: 1, required: 2),
        21: .checksumMismatch, 22: .invalidPadding, 24: .tooFewShares(provided: 1, required: 2),
        25: .mismatchedSets(.identifier), 26: .mismatchedSets(.iterationExponent),
        27: .mismatchedSets(.groupThreshold), 28: .mismatchedSets(.groupCount), 29: .groupThresholdExceedsGroupCount,
        30: .duplicateMemberIndex, 31: .mismatchedSets(.memberThreshold), 32: .digestMismatch,
        33: .tooFewGroups(provided: 1, required: 2), 34: .tooFewGroups(provided: 1, required: 2),
        35: .tooFewShares(provided: 1, required: 2), 39: .invalidLength(wordCount: 19),
        40: .invalidLength(wordCount: 21),
    ]

    @Test func theOfficialVectorsAreAllPresentAndEveryFailureHasAnExpectation() {
        let vectors = SLIP39Vector.all
        #expect(vectors.count == 45, "vectors.json should hold the 45 official vectors")
        #expect(vectors.map(\.number) == Array(1...45))
        let failing = Set(vectors.filter { $0.secretHex.isEmpty }.map(\.number))
        #expect(failing == Set(Self.expectedFailures.keys))
    }

    @Test(arguments: SLIP39Vector.all)
    func officialVector(_ vector: SLIP39Vector) throws {
        let result = try combine(vector.mnemonics, passphrase: "TREZOR")
        if vector.secretHex.isEmpty {
            let expected = try #require(Self.expectedFailures[vector.number])
            #expect(result.failureKind == expected)
            if expected == .checksumMismatch {
                // The generator flipped a bit of the last checksum word.
                #expect(result.error?.wordPosition == vector.mnemonics[0].split(separator: " ").count)
            }
        } else {
            #expect(Hex.encode(try result.get()) == vector.secretHex)
            // Decoding then encoding every share gives back its words.
            for mnemonic in vector.mnemonics {
                #expect(try SLIP39.Share(mnemonic: mnemonic).mnemonic() == mnemonic)
            }
        }
    }

    // MARK: - Interoperability with the reference implementation

    @Test func theReferenceDataIsPresent() {
        #expect(ReferenceSet.all.count == 5)
        #expect(SwiftMadeSet.all.count == 3)
    }

    /// Reference-made shares combine here: every subset of exactly the threshold, in order and reversed.
    @Test(arguments: ReferenceSet.all)
    func referenceSharesCombine(_ set: ReferenceSet) throws {
        let secretHex = set.secret
        if set.groupThreshold == 1 {
            let members = set.mnemonics[0]
            let threshold = set.groups[0].threshold
            let valid = subsets(of: members, size: threshold)
            #expect(valid.count == 10)
            for subset in valid {
                #expect(Hex.encode(try combine(subset, passphrase: set.passphrase).get()) == secretHex)
                #expect(Hex.encode(try combine(subset.reversed(), passphrase: set.passphrase).get()) == secretHex)
            }
            for subset in subsets(of: members, size: threshold - 1) {
                let kind = try combine(subset, passphrase: set.passphrase).failureKind
                #expect(kind == .tooFewShares(provided: threshold - 1, required: threshold))
            }
            let four = Array(members.prefix(threshold + 1))
            let tooMany = try combine(four, passphrase: set.passphrase).failureKind
            #expect(tooMany == .tooManyShares(provided: 4, required: 3))
        } else {
            // Each pair of groups, each with exactly its threshold of members.
            let indices = Array(set.groups.indices)
            for pair in subsets(of: indices, size: set.groupThreshold) {
                let mnemonics = pair.flatMap { set.mnemonics[$0].prefix(set.groups[$0].threshold) }
                #expect(Hex.encode(try combine(mnemonics, passphrase: set.passphrase).get()) == secretHex)
            }
            let oneGroup = Array(set.mnemonics[1].prefix(set.groups[1].threshold))
            let tooFew = try combine(oneGroup, passphrase: set.passphrase).failureKind
            #expect(tooFew == .tooFewGroups(provided: 1, required: 2))
            let allGroups = indices.flatMap { set.mnemonics[$0].prefix(set.groups[$0].threshold) }
            let tooMany = try combine(allGroups, passphrase: set.passphrase).failureKind
            #expect(tooMany == .tooManyGroups(provided: 3, required: 2))
            let shortGroup = Array(set.mnemonics[0].prefix(1)) + set.mnemonics[2]
            let result = try combine(shortGroup, passphrase: set.passphrase)
            #expect(result.failureKind == .tooFewShares(provided: 1, required: 2))
            #expect(result.error?.groupIndex == 0)
        }
    }

    /// Split here with the random bytes the reference drew, and the words come out the same: the reference
    /// therefore combines what this code makes. Every drawn byte is used, in the reference's order.
    @Test(arguments: ReferenceSet.all)
    func splittingWithTheReferenceRandomBytesGivesTheReferenceWords(_ set: ReferenceSet) throws {
        let random = ReplayedRandom(try #require(Hex.decode(set.random)))
        let made = try SLIP39.split(
            secret: try secret(try #require(Hex.decode(set.secret))),
            groupThreshold: set.groupThreshold,
            groups: set.groups.map { SLIP39.Group(threshold: $0.threshold, count: $0.count) },
            passphrase: try secret(set.passphrase), iterationExponent: set.iterationExponent,
            extendable: set.extendable, random: { (count) throws(CryptoError) in try random.next(count) }
        )
        #expect(made == set.mnemonics)
        #expect(random.isExhausted)
    }

    @Test(arguments: ReferenceSet.all)
    func referenceSharesInspect(_ set: ReferenceSet) throws {
        for (groupIndex, group) in set.mnemonics.enumerated() {
            for (memberIndex, mnemonic) in group.enumerated() {
                let info = try SLIP39.inspect(mnemonic)
                #expect(info.extendable == set.extendable)
                #expect(info.iterationExponent == set.iterationExponent)
                #expect(info.groupIndex == groupIndex && info.memberIndex == memberIndex)
                #expect(info.groupThreshold == set.groupThreshold && info.groupCount == set.groups.count)
                #expect(info.memberThreshold == set.groups[groupIndex].threshold)
                #expect(info.secretLength == 32)
            }
        }
    }

    /// Shares made here, which generate.py --check combined with the reference implementation.
    @Test(arguments: SwiftMadeSet.all)
    func swiftMadeSharesCombine(_ set: SwiftMadeSet) throws {
        #expect(set.mnemonics.count == 5)
        for subset in subsets(of: set.mnemonics, size: set.threshold) {
            #expect(Hex.encode(try combine(subset, passphrase: set.passphrase).get()) == set.secret)
        }
        for mnemonic in set.mnemonics {
            let info = try SLIP39.inspect(mnemonic)
            #expect(info.extendable == set.extendable && info.iterationExponent == set.iterationExponent)
        }
    }

    // MARK: - Splitting and combining

    @Test func everySubsetOfAThreeOfFiveSplitBehaves() throws {
        let mnemonics = try split(testSecret, threshold: 3, shares: 5, passphrase: "a passphrase").get()
        #expect(mnemonics.count == 5)
        #expect(mnemonics.allSatisfy { $0.split(separator: " ").count == 33 })
        var combined = 0
        for size in 1...5 {
            for subset in subsets(of: mnemonics, size: size) {
                let result = try combine(subset, passphrase: "a passphrase")
                switch size {
                case 3:
                    #expect(try result.get() == testSecret)
                    #expect(try combine(subset.reversed(), passphrase: "a passphrase").get() == testSecret)
                    combined += 1
                case ..<3: #expect(result.failureKind == .tooFewShares(provided: size, required: 3))
                default: #expect(result.failureKind == .tooManyShares(provided: size, required: 3))
                }
            }
        }
        #expect(combined == 10)
    }

    @Test(arguments: [(1, 1), (2, 2), (2, 3), (3, 5), (5, 7), (16, 16)])
    func splitThenCombineTheFirstThresholdShares(_ threshold: Int, _ shares: Int) throws {
        for extendable in [true, false] {
            let mnemonics = try split(testSecret, threshold: threshold, shares: shares, extendable: extendable).get()
            #expect(mnemonics.count == shares)
            #expect(try combine(Array(mnemonics.suffix(threshold)), passphrase: "").get() == testSecret)
        }
    }

    @Test(arguments: [16, 18, 32, 64])
    func secretsOfEveryAllowedLengthRoundTrip(_ length: Int) throws {
        let value = Array(BLAKE2b.hash256(Array("length \(length)".utf8)) + testSecret + testSecret).prefix(length)
        let mnemonics = try split(Array(value), threshold: 2, shares: 3).get()
        let words = 7 + (8 * length + 9) / 10
        #expect(mnemonics.allSatisfy { $0.split(separator: " ").count == words })
        #expect(try combine([mnemonics[2], mnemonics[0]], passphrase: "").get() == Array(value))
    }

    @Test func aTwoLevelSplitCombinesFromAnyThresholdOfGroups() throws {
        let groups = [
            SLIP39.Group(threshold: 1, count: 1), SLIP39.Group(threshold: 2, count: 3),
            SLIP39.Group(threshold: 3, count: 5),
        ]
        let made = try SLIP39.split(
            secret: try secret(testSecret), groupThreshold: 2, groups: groups, passphrase: try secret("p"),
            iterationExponent: 0
        )
        #expect(made.map(\.count) == [1, 3, 5])
        for pair in subsets(of: [0, 1, 2], size: 2) {
            let mnemonics = pair.flatMap { Array(made[$0].suffix(groups[$0].threshold)) }
            #expect(try combine(mnemonics.reversed(), passphrase: "p").get() == testSecret)
        }
        let short = [made[0][0], made[1][0]]
        let result = try combine(short, passphrase: "p")
        #expect(result.failureKind == .tooFewShares(provided: 1, required: 2))
        #expect(result.error?.groupIndex == 1)
        #expect(result.error?.description == "too few shares in group 2: 1 given, 2 needed")
    }

    @Test func aWrongPassphraseGivesAnotherSecretNotAnError() throws {
        let mnemonics = try split(testSecret, threshold: 2, shares: 3, passphrase: "right").get()
        let wrong = try combine(Array(mnemonics.prefix(2)), passphrase: "wrong").get()
        #expect(wrong.count == testSecret.count)
        #expect(wrong != testSecret)
        #expect(try combine(Array(mnemonics.prefix(2)), passphrase: "right").get() == testSecret)
    }

    @Test func wordsAreReadWhateverTheirCaseAndSpacing() throws {
        let mnemonics = try split(testSecret, threshold: 2, shares: 2).get()
        let messy = mnemonics.map { "  " + $0.uppercased().replacingOccurrences(of: " ", with: " \t\n ") + "\n" }
        #expect(try combine(messy, passphrase: "").get() == testSecret)
    }

    // MARK: - The extendable backup flag

    @Test(arguments: [true, false])
    func theExtendableFlagChoosesTheChecksumString(_ extendable: Bool) throws {
        let mnemonics = try split(testSecret, threshold: 2, shares: 3, iterationExponent: 2, extendable: extendable)
            .get()
        for mnemonic in mnemonics {
            #expect(try SLIP39.inspect(mnemonic).extendable == extendable)
            #expect(try SLIP39.inspect(mnemonic).iterationExponent == 2)
            let share = try SLIP39.Share(mnemonic: mnemonic)
            let words = try SLIP39.WordIndices(count: mnemonic.split(separator: " ").count)
            for (position, word) in mnemonic.split(separator: " ").enumerated() {
                words[position] = try #require(SLIP39.wordIndex[String(word)])
            }
            #expect(SLIP39.RS1024.verify(words, extendable: extendable))
            #expect(!SLIP39.RS1024.verify(words, extendable: !extendable))
            #expect(share.extendable == extendable)
        }
        #expect(try combine(Array(mnemonics.prefix(2)), passphrase: "").get() == testSecret)
    }

    @Test func sharesAreExtendableByDefault() throws {
        let mnemonics = try SLIP39.split(
            secret: try secret(testSecret), threshold: 2, shares: 2, passphrase: try secret(""), iterationExponent: 0
        )
        #expect(try SLIP39.inspect(mnemonics[0]).extendable)
    }

    /// Without the flag the identifier salts the encryption; with it, two sets with different identifiers
    /// encrypt the secret alike, which is what lets a set be replaced by another.
    @Test func onlyNonExtendableEncryptionDependsOnTheIdentifier() throws {
        let master = try secret(testSecret)
        let passphrase = try secret("TREZOR")
        func encrypt(_ identifier: Int, _ extendable: Bool) throws -> [UInt8] {
            bytes(try SLIP39.Cipher.encrypt(
                master, passphrase: passphrase, iterationExponent: 0, identifier: identifier, extendable: extendable
            ))
        }
        #expect(try encrypt(1, true) == encrypt(2, true))
        #expect(try encrypt(1, false) != encrypt(2, false))
        let encrypted = try secret(try encrypt(7, false))
        let decrypted = try SLIP39.Cipher.decrypt(
            encrypted, passphrase: passphrase, iterationExponent: 0, identifier: 7, extendable: false
        )
        #expect(bytes(decrypted) == testSecret)
    }

    // MARK: - Failures

    /// Splits with a chosen identifier (the first two random bytes) and real randomness after.
    private func shares(identifier: Int, threshold: Int = 2, count: Int = 3) throws -> [String] {
        let prefix = try secret([UInt8(identifier >> 8), UInt8(identifier & 0xFF)])
        var first = true
        return try SLIP39.split(
            secret: try secret(testSecret), groupThreshold: 1, groups: [.init(threshold: threshold, count: count)],
            passphrase: try secret(""), iterationExponent: 0, extendable: true,
            random: { (count) throws(CryptoError) in
                if first {
                    first = false
                    return prefix
                }
                return try SecretBytes.random(count: count)
            }
        )[0]
    }

    @Test func sharesFromTwoSplitsAreReported() throws {
        let one = try shares(identifier: 100)
        let other = try shares(identifier: 200)
        #expect(try SLIP39.inspect(one[0]).identifier == 100)
        let mixed = try combine([one[0], other[1]], passphrase: "")
        #expect(mixed.failureKind == .mismatchedSets(.identifier))
        #expect(mixed.error?.mnemonicPosition == 2)
        // Two splits whose identifiers happen to agree: the digest catches the mix.
        let same = try shares(identifier: 100)
        #expect(try combine([one[0], same[1]], passphrase: "").failureKind == .digestMismatch)
        #expect(try combine([one[0], one[1]], passphrase: "").get() == testSecret)
    }

    @Test func sharesOfDifferentLengthsAreReported() throws {
        let short = try split(Array(testSecret.prefix(16)), threshold: 2, shares: 2).get()
        let long = try split(testSecret, threshold: 2, shares: 2).get()
        // Give both the same identifier and parameters, so that only the length differs.
        let longShare = try SLIP39.Share(mnemonic: long[1])
        var forged = longShare
        forged.identifier = try SLIP39.inspect(short[0]).identifier
        let result = try combine([short[0], try forged.mnemonic()], passphrase: "")
        #expect(result.failureKind == .mismatchedSets(.length))
    }

    @Test func theSameShareTwiceIsADuplicateMemberIndex() throws {
        let mnemonics = try split(testSecret, threshold: 2, shares: 3).get()
        let result = try combine([mnemonics[1], mnemonics[1]], passphrase: "")
        #expect(result.failureKind == .duplicateMemberIndex)
        #expect(result.error?.mnemonicPosition == 2)
    }

    @Test func aChangedShareValueFailsTheDigest() throws {
        let mnemonics = try split(testSecret, threshold: 2, shares: 3).get()
        let share = try SLIP39.Share(mnemonic: mnemonics[0])
        share.value.withUnsafeMutableBytes { $0[5] ^= 0x40 }
        #expect(try combine([try share.mnemonic(), mnemonics[2]], passphrase: "").failureKind == .digestMismatch)
    }

    @Test func tooFewSharesSaysHowManyAreNeeded() throws {
        let mnemonics = try split(testSecret, threshold: 4, shares: 6).get()
        let result = try combine(Array(mnemonics.prefix(2)), passphrase: "")
        #expect(result.failureKind == .tooFewShares(provided: 2, required: 4))
        #expect(result.error?.groupIndex == nil)
        #expect(result.error?.description == "too few shares: 2 given, 4 needed")
        #expect(try combine([], passphrase: "").failureKind == .noMnemonics)
    }

    private static var referenceShare: String { ReferenceSet.all.first?.mnemonics.first?.first ?? "" }

    @Test(arguments: [1, 2, 17, 33])
    func aWordNotInTheListIsReportedWithItsPosition(_ position: Int) throws {
        let set = try #require(ReferenceSet.all.first)
        var words = set.mnemonics[0][2].split(separator: " ").map(String.init)
        words[position - 1] = "zebrafish"
        let mnemonics = [set.mnemonics[0][0], set.mnemonics[0][1], words.joined(separator: " ")]
        let error = try #require(try combine(mnemonics, passphrase: set.passphrase).error)
        #expect(error.kind == .invalidWord)
        #expect(error.mnemonicPosition == 3 && error.wordPosition == position)
        #expect(error.description == "mnemonic 3, word \(position), is not a word of the SLIP-39 wordlist")
        #expect(!error.description.contains("zebrafish"))
    }

    /// Any one valid word changed: the checksum fails, and its position is found (but not the correction).
    @Test(arguments: 1...33)
    func aValidWordThatBreaksTheChecksumIsLocated(_ position: Int) throws {
        let original = Self.referenceShare.split(separator: " ").map(String.init)
        #expect(original.count == 33)
        for shift in [1, 512, 1023] {
            var words = original
            let index = try #require(SLIP39.wordIndex[words[position - 1]])
            words[position - 1] = SLIP39.wordlist[(index + shift) % 1024]
            let error = try #require(try combine([words.joined(separator: " ")], passphrase: "").error)
            #expect(error.kind == .checksumMismatch)
            #expect(error.wordPosition == position, "shift \(shift)")
            #expect(error.mnemonicPosition == 1)
        }
    }

    @Test func twoChangedWordsAreDetectedButNotLocated() throws {
        var words = Self.referenceShare.split(separator: " ").map(String.init)
        words.swapAt(10, 11)
        words[20] = words[20] == "academic" ? "acid" : "academic"
        let error = try #require(try combine([words.joined(separator: " ")], passphrase: "").error)
        #expect(error.kind == .checksumMismatch)
        #expect(error.wordPosition == nil)
        #expect(error.description == "mnemonic 1 has a bad checksum: check every word")
    }

    @Test func aMissingOrExtraWordIsABadLength() throws {
        var words = Self.referenceShare.split(separator: " ").map(String.init)
        words.remove(at: 7)
        let missing = try combine([words.joined(separator: " ")], passphrase: "").failureKind
        #expect(missing == .invalidLength(wordCount: 32))
        words.append(contentsOf: ["acid", "acid"])
        let extra = try combine([words.joined(separator: " ")], passphrase: "").failureKind
        #expect(extra == .invalidLength(wordCount: 34))
        #expect(try combine([""], passphrase: "").failureKind == .invalidLength(wordCount: 0))
    }

    static let invalidSplits: [(threshold: Int, shares: Int, secretLength: Int, passphrase: String, exponent: Int,
        expected: SLIP39Error.Argument)] = [
        (2, 3, 15, "", 0, .secretLength), (2, 3, 17, "", 0, .secretLength), (2, 3, 32, "é", 0, .passphrase),
        (2, 3, 32, "tab\t", 0, .passphrase), (2, 3, 32, "", 16, .iterationExponent),
        (2, 3, 32, "", -1, .iterationExponent), (2, 17, 32, "", 0, .shareCount), (0, 3, 32, "", 0, .threshold),
        (4, 3, 32, "", 0, .threshold), (1, 3, 32, "", 0, .threshold), (2, 0, 32, "", 0, .shareCount),
    ]

    @Test(arguments: invalidSplits.indices)
    func invalidSplitArgumentsAreRefused(_ index: Int) throws {
        let (threshold, shares, length, passphrase, exponent, expected) = Self.invalidSplits[index]
        let value = Array((testSecret + testSecret).prefix(length))
        let result = try split(
            value, threshold: threshold, shares: shares, passphrase: passphrase, iterationExponent: exponent
        )
        #expect(result.failureKind == .invalidArgument(expected))
    }

    @Test func invalidGroupArgumentsAreRefused() throws {
        func kind(_ groupThreshold: Int, _ groups: [SLIP39.Group]) throws -> SLIP39Error.Kind? {
            let master = try secret(testSecret)
            let passphrase = try secret("")
            return Result { () throws(SLIP39Error) in
                try SLIP39.split(secret: master, groupThreshold: groupThreshold, groups: groups, passphrase: passphrase)
            }.failureKind
        }
        let group = SLIP39.Group(threshold: 2, count: 3)
        #expect(try kind(1, []) == .invalidArgument(.groupCount))
        #expect(try kind(1, Array(repeating: group, count: 17)) == .invalidArgument(.groupCount))
        #expect(try kind(3, [group, group]) == .invalidArgument(.groupThreshold))
        #expect(try kind(0, [group]) == .invalidArgument(.groupThreshold))
    }

    // MARK: - Building blocks

    @Test func theWordlistIsTheReferenceOne() {
        let list = SLIP39.wordlist
        #expect(list.count == 1024)
        #expect(list == list.sorted())
        #expect(Set(list.map { $0.prefix(4) }).count == 1024)
        #expect(list.allSatisfy { (4...8).contains($0.count) })
        // BLAKE2b-256 of shamir-mnemonic 0.3.0's wordlist.txt (SHA-256 bcc45553…eec3).
        let text = Array(list.map { $0 + "\n" }.joined().utf8)
        #expect(Hex.encode(BLAKE2b.hash256(text)) == "028924f9c2d599230b0cea2d80bcb796da10198ca866cd56434d8728a36142b2")
        #expect(SLIP39.wordIndex.count == 1024 && SLIP39.wordIndex["satoshi"] == list.firstIndex(of: "satoshi"))
    }

    @Test func theFieldTablesAndConstantTimeProductAgree() {
        let exp = SLIP39.GF256.exp
        let log = SLIP39.GF256.log
        #expect(Set(exp).count == 255 && !exp.contains(0))
        for a in 1...255 { #expect(Int(exp[log[a]]) == a) }
        var mismatches = 0
        for a in 0...255 {
            for b in 0...255 {
                let tableProduct = a == 0 || b == 0 ? 0 : Int(exp[(log[a] + log[b]) % 255])
                if Int(SLIP39.GF256.multiply(UInt8(a), UInt8(b))) != tableProduct { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        // The AES example: {57} • {83} = {c1} (FIPS 197, 4.2).
        #expect(SLIP39.GF256.multiply(0x57, 0x83) == 0xC1)
    }

    @Test func interpolationPassesThroughItsPoints() throws {
        let points: [(x: Int, value: SecretBytes)] = [
            (0, try secret([1, 2, 3])), (1, try secret([4, 5, 6])), (254, try secret([7, 8, 9])),
        ]
        for point in points {
            #expect(bytes(try SLIP39.GF256.interpolate(points, at: point.x)) == bytes(point.value))
        }
        let other = try SLIP39.GF256.interpolate(points, at: 9)
        let again = [points[0], points[2], (9, other)]
        #expect(bytes(try SLIP39.GF256.interpolate(again, at: 1)) == [4, 5, 6])
    }

    @Test func theChecksumOfAnOfficialVectorRecomputes() throws {
        let mnemonic = try #require(SLIP39Vector.all.first).mnemonics[0]
        let names = mnemonic.split(separator: " ")
        let words = try SLIP39.WordIndices(count: names.count)
        for (position, name) in names.enumerated() { words[position] = try #require(SLIP39.wordIndex[String(name)]) }
        #expect(SLIP39.RS1024.verify(words, extendable: false))
        let checksum = (names.count - 3..<names.count).map { words[$0] }
        for position in names.count - 3..<names.count { words[position] = 0 }
        SLIP39.RS1024.appendChecksum(to: words, extendable: false)
        #expect((names.count - 3..<names.count).map { words[$0] } == checksum)
    }

    /// RFC 4231 test cases 2 (a short key) and 6 (a key longer than SHA-256's block).
    @Test(arguments: [
        ("4a656665", "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (String(repeating: "aa", count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ])
    func hmacSHA256MatchesRFC4231(_ keyHex: String, _ message: String, _ expected: String) throws {
        let key = try secret(try #require(Hex.decode(keyHex)))
        let mac = try HMACSHA256.mac(key: key, message: try secret(message))
        #expect(Hex.encode(bytes(mac)) == expected)
    }

    @Test(arguments: [
        ("passwd", "salt", 1, 64, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
        ("Password", "NaCl", 80000, 64, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"),
        ("", "", 3, 20, "b372796454d37ac042a195b62eeb7cfed38ddd92"),
    ])
    func pbkdf2MatchesRFC7914(
        _ password: String, _ salt: String, _ iterations: Int, _ length: Int, _ expected: String
    ) throws {
        let derived = try PBKDF2.sha256(
            password: try secret(password), salt: try secret(salt), iterations: iterations, length: length
        )
        #expect(Hex.encode(bytes(derived)) == expected)
    }
}

extension Result {
    /// The failure, or nil on success.
    fileprivate var error: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}

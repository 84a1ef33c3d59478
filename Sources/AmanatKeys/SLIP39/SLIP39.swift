public import AmanatCrypto

/// SLIP-0039, Shamir's Secret-Sharing for Mnemonic Codes: splits a secret into mnemonic shares, any threshold of
/// which recover it (https://github.com/satoshilabs/slips/blob/master/slip-0039.md).
///
/// The secret is first encrypted under a passphrase with a four-round Feistel network over PBKDF2-HMAC-SHA256,
/// then split in two levels: into groups, any group threshold of which recover it, and each group into member
/// shares. Amanat uses one group: a `threshold`-of-`shares` scheme.
///
/// The secret, the share values, the passphrase, the word values and every intermediate value live in
/// ``SecretBytes``. So do the mnemonics, as UTF-8, with `splitMnemonics`, ``combine(mnemonicBytes:passphrase:)``
/// and ``inspect(mnemonicBytes:)``, which read words in place. The variants that take or return `String`s, which
/// nothing can wipe, are for tests and interoperability; Amanat's key holder uses the byte ones.
///
/// Shares are written with the extendable backup flag set by default: the reference implementation's default since
/// the flag was added to the spec (May 2024), and what the spec's authors advise. The identifier is then not part of
/// the encryption, so that a new set of shares can later be made from the same encrypted secret and gives the same
/// secret for every passphrase. Shares without the flag (checksum customization string "shamir") and with it
/// ("shamir_extendable") are both read.
public enum SLIP39 {
    /// The most shares in a group, and the most groups.
    public static let maximumShareCount = 16
    /// The shortest secret, in bytes. A secret must also have an even length.
    public static let minimumSecretLength = 16
    /// The largest iteration exponent.
    public static let maximumIterationExponent = 15
    /// The number of words in the wordlist: each word carries 10 bits.
    static let radix = 1024

    /// One group of a two-level split: `count` member shares, any `threshold` of which recover the group's share.
    public struct Group: Sendable, Equatable {
        /// How many of the group's shares recover the group's share.
        public var threshold: Int
        /// How many shares the group has.
        public var count: Int

        /// A `threshold`-of-`count` group.
        public init(threshold: Int, count: Int) {
            self.threshold = threshold
            self.count = count
        }
    }

    /// Splits `secret` into `shares` mnemonics, any `threshold` of which recover it with `passphrase`.
    ///
    /// - Parameters:
    ///   - secret: at least 16 bytes, an even number of them (an X25519 secret key is 32: 33-word mnemonics).
    ///   - threshold: from 1 to `shares`; 1 only with a single share, as SLIP-39 asks.
    ///   - shares: from 1 to 16.
    ///   - passphrase: printable ASCII, possibly empty. Every passphrase decrypts the shares to *some* secret: a
    ///     wrong one is not detected (see ``SLIP39Error``).
    ///   - iterationExponent: PBKDF2 runs 10000 × 2^e iterations in all; from 0 to 15.
    ///   - extendable: whether to set the extendable backup flag (the default, as in the reference implementation).
    /// - Returns: the mnemonics in protected memory, in member index order: each the UTF-8 of its words separated
    ///   by single spaces, without a line ending.
    public static func splitMnemonics(
        secret: SecretBytes, threshold: Int, shares: Int, passphrase: SecretBytes, iterationExponent: Int = 1,
        extendable: Bool = true
    ) throws(SLIP39Error) -> [SecretBytes] {
        let groups = try splitMnemonics(
            secret: secret, groupThreshold: 1, groups: [Group(threshold: threshold, count: shares)],
            passphrase: passphrase, iterationExponent: iterationExponent, extendable: extendable
        )
        return groups[0]
    }

    /// Splits `secret` in two levels: `groups`, any `groupThreshold` of which recover it with `passphrase`,
    /// each recovered from its own threshold of its shares.
    ///
    /// - Returns: each group's mnemonics in protected memory (as from
    ///   ``splitMnemonics(secret:threshold:shares:passphrase:iterationExponent:extendable:)``), groups and members
    ///   in index order.
    public static func splitMnemonics(
        secret: SecretBytes, groupThreshold: Int, groups: [Group], passphrase: SecretBytes,
        iterationExponent: Int = 1, extendable: Bool = true
    ) throws(SLIP39Error) -> [[SecretBytes]] {
        try splitMnemonics(
            secret: secret, groupThreshold: groupThreshold, groups: groups, passphrase: passphrase,
            iterationExponent: iterationExponent, extendable: extendable,
            random: { (count) throws(CryptoError) in try SecretBytes.random(count: count) }
        )
    }

    /// ``splitMnemonics(secret:threshold:shares:passphrase:iterationExponent:extendable:)`` with the mnemonics as
    /// `String`s, which nothing can wipe.
    public static func split(
        secret: SecretBytes, threshold: Int, shares: Int, passphrase: SecretBytes, iterationExponent: Int = 1,
        extendable: Bool = true
    ) throws(SLIP39Error) -> [String] {
        try splitMnemonics(
            secret: secret, threshold: threshold, shares: shares, passphrase: passphrase,
            iterationExponent: iterationExponent, extendable: extendable
        ).map(string)
    }

    /// ``splitMnemonics(secret:groupThreshold:groups:passphrase:iterationExponent:extendable:)`` with the mnemonics
    /// as `String`s, which nothing can wipe.
    public static func split(
        secret: SecretBytes, groupThreshold: Int, groups: [Group], passphrase: SecretBytes,
        iterationExponent: Int = 1, extendable: Bool = true
    ) throws(SLIP39Error) -> [[String]] {
        try splitMnemonics(
            secret: secret, groupThreshold: groupThreshold, groups: groups, passphrase: passphrase,
            iterationExponent: iterationExponent, extendable: extendable
        ).map { $0.map(string) }
    }

    /// The spec's GenerateShares with the random bytes from `random`, the mnemonics as `String`s.
    static func split(
        secret: SecretBytes, groupThreshold: Int, groups: [Group], passphrase: SecretBytes,
        iterationExponent: Int, extendable: Bool, random: RandomSource
    ) throws(SLIP39Error) -> [[String]] {
        try splitMnemonics(
            secret: secret, groupThreshold: groupThreshold, groups: groups, passphrase: passphrase,
            iterationExponent: iterationExponent, extendable: extendable, random: random
        ).map { $0.map(string) }
    }

    /// The spec's GenerateShares, with the random bytes from `random`.
    static func splitMnemonics(
        secret: SecretBytes, groupThreshold: Int, groups: [Group], passphrase: SecretBytes,
        iterationExponent: Int, extendable: Bool, random: RandomSource
    ) throws(SLIP39Error) -> [[SecretBytes]] {
        try checkArguments(
            secret: secret, groupThreshold: groupThreshold, groups: groups, passphrase: passphrase,
            iterationExponent: iterationExponent
        )
        return try liftingCryptoError { () throws(CryptoError) -> [[SecretBytes]] in
            // The reference implementation takes two random bytes and keeps the low 15 bits.
            let identifierBytes = try random(2)
            let identifier = identifierBytes.withUnsafeBytes { Int($0[0]) << 8 | Int($0[1]) } & 0x7FFF
            let encrypted = try Cipher.encrypt(
                secret, passphrase: passphrase, iterationExponent: iterationExponent, identifier: identifier,
                extendable: extendable
            )
            let groupShares = try splitSecret(
                threshold: groupThreshold, count: groups.count, secret: encrypted, random: random
            )
            var mnemonics: [[SecretBytes]] = []
            for (groupIndex, group) in groups.enumerated() {
                let memberShares = try splitSecret(
                    threshold: group.threshold, count: group.count, secret: groupShares[groupIndex], random: random
                )
                var groupMnemonics: [SecretBytes] = []
                for (memberIndex, value) in memberShares.enumerated() {
                    let share = Share(
                        identifier: identifier, extendable: extendable, iterationExponent: iterationExponent,
                        groupIndex: groupIndex, groupThreshold: groupThreshold, groupCount: groups.count,
                        memberIndex: memberIndex, memberThreshold: group.threshold, value: value
                    )
                    groupMnemonics.append(try share.mnemonicBytes())
                }
                mnemonics.append(groupMnemonics)
            }
            return mnemonics
        }
    }

    /// A mnemonic in protected memory as a `String`, for the `String` variants.
    private static func string(_ mnemonic: SecretBytes) -> String {
        mnemonic.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    private static func checkArguments(
        secret: SecretBytes, groupThreshold: Int, groups: [Group], passphrase: SecretBytes, iterationExponent: Int
    ) throws(SLIP39Error) {
        func invalid(_ argument: SLIP39Error.Argument) -> SLIP39Error { SLIP39Error(.invalidArgument(argument)) }
        guard secret.count >= minimumSecretLength, secret.count % 2 == 0 else { throw invalid(.secretLength) }
        let printable = passphrase.withUnsafeBytes { bytes in bytes.allSatisfy { (32...126).contains($0) } }
        guard printable else { throw invalid(.passphrase) }
        guard (0...maximumIterationExponent).contains(iterationExponent) else { throw invalid(.iterationExponent) }
        guard (1...maximumShareCount).contains(groups.count) else { throw invalid(.groupCount) }
        guard (1...groups.count).contains(groupThreshold) else { throw invalid(.groupThreshold) }
        for group in groups {
            guard (1...maximumShareCount).contains(group.count) else { throw invalid(.shareCount) }
            guard (1...group.count).contains(group.threshold), group.threshold > 1 || group.count == 1 else {
                throw invalid(.threshold)
            }
        }
    }

    /// Recovers the secret from `mnemonics` and `passphrase` (the spec's "Combining the shares").
    ///
    /// The mnemonics may come in any order; words are separated by any ASCII whitespace and compared without regard
    /// to ASCII case. The spec's checks come first, each failure with its own ``SLIP39Error/Kind``: every mnemonic
    /// valid, all from one set, exactly the group threshold of groups and exactly each group's member threshold of
    /// shares with distinct member indices, and the digests right.
    ///
    /// A wrong passphrase is not an error: it yields a different secret, by design of SLIP-39. The caller must
    /// check the result (Amanat compares the public key of the recovered X25519 secret key). The passphrase is
    /// taken as given, even outside printable ASCII, so that shares made by other tools can still be read.
    ///
    /// The `String`s cannot be wiped; ``combine(mnemonicBytes:passphrase:)`` takes mnemonics in protected memory.
    public static func combine(mnemonics: [String], passphrase: SecretBytes) throws(SLIP39Error) -> SecretBytes {
        var mnemonicBytes: [SecretBytes] = []
        for mnemonic in mnemonics {
            mnemonicBytes.append(try liftingCryptoError { () throws(CryptoError) in try protectedUTF8(of: mnemonic) })
        }
        return try combine(mnemonicBytes: mnemonicBytes, passphrase: passphrase)
    }

    /// Recovers the secret from mnemonics held in protected memory as UTF-8, and `passphrase`: as
    /// ``combine(mnemonics:passphrase:)``, with every word read in place, never copied into a `String`.
    public static func combine(
        mnemonicBytes: [SecretBytes], passphrase: SecretBytes
    ) throws(SLIP39Error) -> SecretBytes {
        guard !mnemonicBytes.isEmpty else { throw SLIP39Error(.noMnemonics) }
        var shares: [Share] = []
        for (offset, mnemonic) in mnemonicBytes.enumerated() {
            do {
                shares.append(try Share(mnemonicBytes: mnemonic))
            } catch {
                throw error.inMnemonic(offset + 1)
            }
        }

        let first = shares[0]
        for (offset, share) in shares.enumerated() {
            if let parameter = first.mismatch(with: share) {
                throw SLIP39Error(.mismatchedSets(parameter), mnemonicPosition: offset + 1)
            }
        }

        // Group the shares by group index, in order of first appearance.
        var groupOrder: [Int] = []
        var members: [Int: [(x: Int, value: SecretBytes)]] = [:]
        var memberThresholds: [Int: Int] = [:]
        let multiGroup = first.groupCount > 1
        for (offset, share) in shares.enumerated() {
            let group = multiGroup ? share.groupIndex : nil
            if let threshold = memberThresholds[share.groupIndex] {
                guard threshold == share.memberThreshold else {
                    throw SLIP39Error(
                        .mismatchedSets(.memberThreshold), mnemonicPosition: offset + 1, groupIndex: group
                    )
                }
                guard members[share.groupIndex, default: []].allSatisfy({ $0.x != share.memberIndex }) else {
                    throw SLIP39Error(.duplicateMemberIndex, mnemonicPosition: offset + 1, groupIndex: group)
                }
            } else {
                groupOrder.append(share.groupIndex)
                memberThresholds[share.groupIndex] = share.memberThreshold
            }
            members[share.groupIndex, default: []].append((share.memberIndex, share.value))
        }

        guard groupOrder.count >= first.groupThreshold else {
            throw SLIP39Error(.tooFewGroups(provided: groupOrder.count, required: first.groupThreshold))
        }
        guard groupOrder.count == first.groupThreshold else {
            throw SLIP39Error(.tooManyGroups(provided: groupOrder.count, required: first.groupThreshold))
        }
        for groupIndex in groupOrder {
            let provided = members[groupIndex, default: []].count
            let required = memberThresholds[groupIndex, default: 1]
            let group = multiGroup ? groupIndex : nil
            guard provided >= required else {
                throw SLIP39Error(.tooFewShares(provided: provided, required: required), groupIndex: group)
            }
            guard provided == required else {
                throw SLIP39Error(.tooManyShares(provided: provided, required: required), groupIndex: group)
            }
        }

        var groupShares: [(x: Int, value: SecretBytes)] = []
        for groupIndex in groupOrder {
            do {
                let value = try recoverSecret(
                    threshold: memberThresholds[groupIndex, default: 1], shares: members[groupIndex, default: []]
                )
                groupShares.append((groupIndex, value))
            } catch {
                var located = error
                located.groupIndex = multiGroup ? groupIndex : nil
                throw located
            }
        }
        let encrypted = try recoverSecret(threshold: first.groupThreshold, shares: groupShares)
        return try liftingCryptoError { () throws(CryptoError) in
            try Cipher.decrypt(
                encrypted, passphrase: passphrase, iterationExponent: first.iterationExponent,
                identifier: first.identifier, extendable: first.extendable
            )
        }
    }
}

public import AmanatCrypto

/// Why mnemonic shares could not be made or combined. Never carries a secret, a share value or a word of a
/// mnemonic: at most the position of the mnemonic and of the word at fault.
///
/// A wrong passphrase is not an error. SLIP-39 cannot detect it by design: every passphrase decrypts to some
/// master secret, and a wrong one gives a different secret. The caller checks the result, as Amanat does by
/// deriving the X25519 public key from the recovered secret key and comparing it with the known one.
public struct SLIP39Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The distinct failure kinds.
    public enum Kind: Sendable, Equatable {
        /// `combine` was given no mnemonics.
        case noMnemonics
        /// A word is not in the SLIP-39 wordlist: ``SLIP39Error/wordPosition`` says which.
        case invalidWord
        /// The mnemonic has a number of words that no share has (at least 20, and the share value's padding
        /// at most 8 bits).
        case invalidLength(wordCount: Int)
        /// The RS1024 checksum does not match. ``SLIP39Error/wordPosition`` is the one word whose change alone
        /// would explain it, when exactly one such word exists; SLIP-39 forbids suggesting the correction itself.
        case checksumMismatch
        /// The bits that pad the share value to a whole number of words are not all zero.
        case invalidPadding
        /// The share claims a group threshold greater than its group count.
        case groupThresholdExceedsGroupCount
        /// The mnemonic belongs to another set of shares than the first mnemonic (or, for the member threshold,
        /// than the first mnemonic of its group): the given parameter differs.
        case mismatchedSets(Parameter)
        /// Two mnemonics of one group have the same member index: the same share given twice, or a forgery.
        case duplicateMemberIndex
        /// Fewer groups were given than the group threshold needs.
        case tooFewGroups(provided: Int, required: Int)
        /// More groups were given than the group threshold; SLIP-39 requires exactly the threshold.
        case tooManyGroups(provided: Int, required: Int)
        /// Fewer shares of a group were given than its member threshold needs.
        case tooFewShares(provided: Int, required: Int)
        /// More shares of a group were given than its member threshold; SLIP-39 requires exactly the threshold.
        case tooManyShares(provided: Int, required: Int)
        /// The recovered secret does not match the digest stored with it (share index 254): a share is corrupt,
        /// forged, or from another set that happens to share its identifier.
        case digestMismatch
        /// `split` was given an argument outside what SLIP-39 allows.
        case invalidArgument(Argument)
        /// A libsodium call or a protected allocation failed.
        case cryptoFailure(CryptoError)
    }

    /// The share parameters that must agree across one set of shares.
    public enum Parameter: Sendable, Equatable {
        /// The random identifier (most of the first two words).
        case identifier
        /// The extendable backup flag.
        case extendable
        /// The iteration exponent.
        case iterationExponent
        /// The group threshold.
        case groupThreshold
        /// The group count.
        case groupCount
        /// The member threshold of the group.
        case memberThreshold
        /// The length of the share value, and so of the secret.
        case length
    }

    /// The arguments of `split` that can be out of range.
    public enum Argument: Sendable, Equatable {
        /// Less than 16 bytes, or an odd number of bytes.
        case secretLength
        /// Not printable ASCII (code points 32 to 126), which SLIP-39 requires of a passphrase.
        case passphrase
        /// Outside 0...15.
        case iterationExponent
        /// No groups, or more than 16.
        case groupCount
        /// Less than 1, or more than the number of groups.
        case groupThreshold
        /// A group of no shares, or more than 16.
        case shareCount
        /// Less than 1, more than the group's share count, or 1 with more than one share (SLIP-39 asks for a
        /// single share then, since every share of a 1-of-N group is the same secret).
        case threshold
    }

    /// What went wrong.
    public let kind: Kind
    /// The 1-based position, in the list given to `combine`, of the mnemonic at fault, when one is.
    public internal(set) var mnemonicPosition: Int?
    /// The 1-based position of the word at fault within its mnemonic, when known.
    public internal(set) var wordPosition: Int?
    /// The group index (the spec's *GI*, from 0) of the group at fault, for sets of more than one group.
    public internal(set) var groupIndex: Int?

    init(_ kind: Kind, mnemonicPosition: Int? = nil, wordPosition: Int? = nil, groupIndex: Int? = nil) {
        self.kind = kind
        self.mnemonicPosition = mnemonicPosition
        self.wordPosition = wordPosition
        self.groupIndex = groupIndex
    }

    init(_ error: CryptoError) {
        self.init(.cryptoFailure(error))
    }

    /// The same error, attributed to the mnemonic at `position` in the caller's list.
    func inMnemonic(_ position: Int) -> SLIP39Error {
        var copy = self
        copy.mnemonicPosition = position
        return copy
    }

    public var description: String {
        let subject = mnemonicPosition.map { "mnemonic \($0)" } ?? "a mnemonic"
        let group = groupIndex.map { " in group \($0 + 1)" } ?? ""
        return switch kind {
        case .noMnemonics: "no mnemonics were given"
        case .invalidWord:
            "\(subject)\(wordPosition.map { ", word \($0)," } ?? "") is not a word of the SLIP-39 wordlist"
        case .invalidLength(let count):
            "\(subject) has \(count) words, which no share has (20 for a 16-byte secret, 33 for a 32-byte one)"
        case .checksumMismatch:
            if let wordPosition {
                "\(subject) has a bad checksum: word \(wordPosition) is probably mistyped"
            } else {
                "\(subject) has a bad checksum: check every word"
            }
        case .invalidPadding: "\(subject) is not a valid share: its padding bits are not zero"
        case .groupThresholdExceedsGroupCount:
            "\(subject) is not a valid share: its group threshold exceeds its group count"
        case .mismatchedSets(let parameter):
            "\(subject) is from another set of shares: its \(parameter.text) differs"
        case .duplicateMemberIndex:
            "\(subject) has the same member index as an earlier share\(group): give a different share"
        case .tooFewGroups(let provided, let required):
            "too few groups: \(provided) given, \(required) needed"
        case .tooManyGroups(let provided, let required):
            "too many groups: \(provided) given, exactly \(required) needed"
        case .tooFewShares(let provided, let required):
            "too few shares\(group): \(provided) given, \(required) needed"
        case .tooManyShares(let provided, let required):
            "too many shares\(group): \(provided) given, exactly \(required) needed"
        case .digestMismatch:
            "the shares do not fit together\(group): a share is corrupt, forged or from another set"
        case .invalidArgument(let argument): "invalid argument: \(argument.text)"
        case .cryptoFailure(let error): error.description
        }
    }
}

extension SLIP39Error.Parameter {
    fileprivate var text: String {
        switch self {
        case .identifier: "identifier (first words)"
        case .extendable: "extendable flag"
        case .iterationExponent: "iteration exponent"
        case .groupThreshold: "group threshold"
        case .groupCount: "group count"
        case .memberThreshold: "member threshold"
        case .length: "length"
        }
    }
}

extension SLIP39Error.Argument {
    fileprivate var text: String {
        switch self {
        case .secretLength: "the secret must be at least 16 bytes and an even number of bytes"
        case .passphrase: "the passphrase must be printable ASCII (code points 32 to 126)"
        case .iterationExponent: "the iteration exponent must be from 0 to 15"
        case .groupCount: "there must be from 1 to 16 groups"
        case .groupThreshold: "the group threshold must be from 1 to the number of groups"
        case .shareCount: "a group must have from 1 to 16 shares"
        case .threshold: "a threshold must be from 1 to the share count, and 1 only for a single share"
        }
    }
}

/// Runs `body`, turning a libsodium or allocation failure into ``SLIP39Error/Kind/cryptoFailure(_:)``.
func liftingCryptoError<R>(_ body: () throws(CryptoError) -> R) throws(SLIP39Error) -> R {
    do {
        return try body()
    } catch {
        throw SLIP39Error(error)
    }
}

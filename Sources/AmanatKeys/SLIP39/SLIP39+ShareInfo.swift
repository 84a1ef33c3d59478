public import AmanatCrypto

extension SLIP39 {
    /// The public fields of one share: what a person holding it may be told, never the share value.
    public struct ShareInfo: Sendable, Equatable {
        /// The random 15-bit identifier common to one set of shares; it makes the set's first words alike.
        public let identifier: Int
        /// The extendable backup flag: when set, the identifier is not part of the encryption, so that other sets
        /// of shares made from the same encrypted secret give the same secret for every passphrase.
        public let extendable: Bool
        /// PBKDF2 runs 10000 × 2^e iterations in all to decrypt.
        public let iterationExponent: Int
        /// The group's index, from 0.
        public let groupIndex: Int
        /// How many groups recover the secret.
        public let groupThreshold: Int
        /// How many groups there are.
        public let groupCount: Int
        /// The share's index within its group, from 0.
        public let memberIndex: Int
        /// How many shares of the group recover the group's share.
        public let memberThreshold: Int
        /// The length of the secret in bytes.
        public let secretLength: Int
    }

    /// Checks one mnemonic on its own (words, length, checksum, padding) and returns its public fields, for
    /// showing a share holder which share they hold, and how many are needed, before combining.
    public static func inspect(_ mnemonic: String) throws(SLIP39Error) -> ShareInfo {
        try Share(mnemonic: mnemonic).info
    }

    /// ``inspect(_:)`` for a mnemonic held in protected memory as UTF-8, words separated by ASCII whitespace.
    public static func inspect(mnemonicBytes: SecretBytes) throws(SLIP39Error) -> ShareInfo {
        try Share(mnemonicBytes: mnemonicBytes).info
    }
}

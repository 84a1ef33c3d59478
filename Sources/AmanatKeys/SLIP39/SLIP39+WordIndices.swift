import AmanatCrypto

extension SLIP39 {
    /// The 10-bit word values of one mnemonic, kept in protected memory because most of them encode the share
    /// value. Two bytes a word.
    struct WordIndices {
        let storage: SecretBytes
        let count: Int

        /// `count` zero words.
        init(count: Int) throws(CryptoError) {
            self.count = count
            storage = try SecretBytes(count: 2 * count)
        }

        subscript(position: Int) -> Int {
            get {
                precondition(position >= 0 && position < count, "word position out of range")
                return storage.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 2 * position, as: UInt16.self)) }
            }
            nonmutating set {
                precondition(position >= 0 && position < count, "word position out of range")
                precondition(newValue >= 0 && newValue < radix, "word value out of range")
                storage.withUnsafeMutableBytes {
                    $0.storeBytes(of: UInt16(newValue), toByteOffset: 2 * position, as: UInt16.self)
                }
            }
        }
    }
}

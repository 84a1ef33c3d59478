extension SLIP39 {
    /// The RS1024 checksum: a Reed-Solomon code over GF(1024) with three check words, which detects any error
    /// in up to three words (the spec's "Checksum" section, transcribed from its Python).
    enum RS1024 {
        /// The customization string for shares without the extendable backup flag.
        static let customization: [UInt8] = Array("shamir".utf8)
        /// The customization string for shares with the extendable backup flag.
        static let extendableCustomization: [UInt8] = Array("shamir_extendable".utf8)
        /// The number of checksum words.
        static let checksumLength = 3
        /// The longest mnemonic whose mistyped word is searched for: the search grows with the square of the
        /// length, and real shares are far shorter (33 words for a 32-byte secret).
        static let locatableLength = 128

        private static let generator: [UInt32] = [
            0x00E0_E040, 0x01C1_C080, 0x0383_8100, 0x0707_0200, 0x0E0E_0009,
            0x1C0C_2412, 0x3808_6C24, 0x3090_FC48, 0x21B1_F890, 0x03F3_F120,
        ]

        /// The customization string for a share with or without the extendable backup flag.
        static func customization(extendable: Bool) -> [UInt8] {
            extendable ? extendableCustomization : customization
        }

        @inline(__always)
        private static func step(_ checksum: UInt32, _ value: Int) -> UInt32 {
            let top = checksum >> 20
            var next = (checksum & 0xF_FFFF) << 10 ^ UInt32(value)
            for bit in 0..<10 where (top >> bit) & 1 != 0 {
                next ^= generator[bit]
            }
            return next
        }

        /// `rs1024_polymod` over `prefix`, the first `count` words of `words`, then `zeros` zero words.
        static func polymod(prefix: [UInt8], words: WordIndices, count: Int, zeros: Int = 0) -> UInt32 {
            var checksum: UInt32 = 1
            for value in prefix { checksum = step(checksum, Int(value)) }
            for position in 0..<count { checksum = step(checksum, words[position]) }
            for _ in 0..<zeros { checksum = step(checksum, 0) }
            return checksum
        }

        /// Writes the checksum of the data words (all but the last three) into the last three words.
        static func appendChecksum(to words: WordIndices, extendable: Bool) {
            let dataCount = words.count - checksumLength
            let value = polymod(
                prefix: customization(extendable: extendable), words: words, count: dataCount, zeros: checksumLength
            ) ^ 1
            for index in 0..<checksumLength {
                words[dataCount + index] = Int((value >> (10 * UInt32(checksumLength - 1 - index))) & 0x3FF)
            }
        }

        /// True when `words`, checksum included, passes `rs1024_verify_checksum`.
        static func verify(_ words: WordIndices, extendable: Bool) -> Bool {
            polymod(prefix: customization(extendable: extendable), words: words, count: words.count) == 1
        }

        /// The 0-based position of the one word whose change alone would make the checksum valid, if exactly
        /// one such position exists; nil otherwise.
        ///
        /// The code has distance 4, so a mnemonic with one or two wrong words is never one word away from another
        /// valid mnemonic: a single position found is the mistyped word unless three or more words are wrong. The
        /// extendable flag sits in the second word and chooses the customization string, so both strings are
        /// tried and a candidate counts only if the corrected word agrees with the string it was found under.
        /// Only the position is returned: SLIP-39 forbids suggesting the correction.
        static func locateSingleError(in words: WordIndices) -> Int? {
            let count = words.count
            guard count <= locatableLength else { return nil }
            // polymod is affine over GF(2): polymod(w xor e) = polymod(w) xor linear(e), where linear(e) starts
            // from 0. columns[p][b] is linear() of the single bit b set in the word at position p.
            var columns = [[UInt32]](repeating: [UInt32](repeating: 0, count: 10), count: count)
            for position in 0..<count {
                for bit in 0..<10 {
                    var checksum = step(0, 1 << bit)
                    for _ in 0..<(count - 1 - position) { checksum = step(checksum, 0) }
                    columns[position][bit] = checksum
                }
            }
            let flagWord = 1
            let flagBit = 4
            let storedFlag = (words[flagWord] >> flagBit) & 1
            var found: Set<Int> = []
            for extendable in [false, true] {
                let syndrome = polymod(prefix: customization(extendable: extendable), words: words, count: count) ^ 1
                guard syndrome != 0 else { continue }
                for position in 0..<count {
                    for delta in 1..<radix {
                        var effect: UInt32 = 0
                        for bit in 0..<10 where (delta >> bit) & 1 != 0 { effect ^= columns[position][bit] }
                        guard effect == syndrome else { continue }
                        let flag = position == flagWord ? ((words[flagWord] ^ delta) >> flagBit) & 1 : storedFlag
                        if (flag == 1) == extendable { found.insert(position) }
                    }
                }
            }
            return found.count == 1 ? found.first : nil
        }
    }
}

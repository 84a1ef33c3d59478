import AmanatCrypto

extension SLIP39 {
    /// One share: the spec's fields, and the share value in protected memory.
    ///
    /// | id | ext | e | GI | Gt | g | I | t | padded share value | checksum |
    /// |----|-----|---|----|----|---|---|---|--------------------|----------|
    /// | 15 bits | 1 bit | 4 bits | 4 bits | 4 bits | 4 bits | 4 bits | 4 bits | padding + 8n bits | 30 bits |
    struct Share {
        var identifier: Int
        var extendable: Bool
        var iterationExponent: Int
        var groupIndex: Int
        /// The actual threshold *GT* (1...16), not the encoded *Gt* = *GT* − 1.
        var groupThreshold: Int
        /// The actual count *G* (1...16).
        var groupCount: Int
        var memberIndex: Int
        /// The actual threshold *T* (1...16).
        var memberThreshold: Int
        let value: SecretBytes

        /// The first parameter, in the spec's order, in which `other` differs from this share's set.
        func mismatch(with other: Share) -> SLIP39Error.Parameter? {
            if identifier != other.identifier { return .identifier }
            if extendable != other.extendable { return .extendable }
            if iterationExponent != other.iterationExponent { return .iterationExponent }
            if groupThreshold != other.groupThreshold { return .groupThreshold }
            if groupCount != other.groupCount { return .groupCount }
            if value.count != other.value.count { return .length }
            return nil
        }

        /// The public fields.
        var info: ShareInfo {
            ShareInfo(
                identifier: identifier, extendable: extendable, iterationExponent: iterationExponent,
                groupIndex: groupIndex, groupThreshold: groupThreshold, groupCount: groupCount,
                memberIndex: memberIndex, memberThreshold: memberThreshold, secretLength: value.count
            )
        }
    }

    /// The words before the share value: identifier with flag and exponent, then the four indices.
    static let headerLength = 4
    /// The words that are not the share value.
    static let metadataLength = headerLength + RS1024.checksumLength
    /// The fewest words of a share: the metadata and a 128-bit value padded to 130 bits.
    static let minimumMnemonicLength = metadataLength + (8 * minimumSecretLength + 9) / 10
}

extension SLIP39.Share {
    /// The mnemonic in protected memory: the words of the fields, the share value left-padded with zero bits to
    /// whole words, and the RS1024 checksum, as UTF-8 words separated by single spaces, without a line ending.
    ///
    /// The word values stay in protected memory too; the words are copied from the wordlist straight into the
    /// result, so that no `String` ever holds them.
    func mnemonicBytes() throws(CryptoError) -> SecretBytes {
        let words = try wordIndices()
        var length = words.count > 0 ? words.count - 1 : 0
        for position in 0..<words.count { length += SLIP39.wordlistUTF8[words[position]].count }
        let text = try SecretBytes(count: length)
        text.withUnsafeMutableBytes { out in
            var offset = 0
            for position in 0..<words.count {
                if position > 0 {
                    out[offset] = UInt8(ascii: " ")
                    offset += 1
                }
                SLIP39.wordlistUTF8[words[position]].withUnsafeBytes { word in
                    (out.baseAddress! + offset).copyMemory(from: word.baseAddress!, byteCount: word.count)
                    offset += word.count
                }
            }
        }
        return text
    }

    /// The mnemonic as a `String`, which nothing can wipe: for tests and for showing shares made elsewhere.
    func mnemonic() throws(CryptoError) -> String {
        try mnemonicBytes().withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// The 10-bit values of the mnemonic's words, checksum included.
    private func wordIndices() throws(CryptoError) -> SLIP39.WordIndices {
        let valueWords = (8 * value.count + 9) / 10
        let words = try SLIP39.WordIndices(count: SLIP39.metadataLength + valueWords)
        let head = identifier << 5 | (extendable ? 1 << 4 : 0) | iterationExponent
        words[0] = head >> 10
        words[1] = head & 0x3FF
        let parameters = groupIndex << 16 | (groupThreshold - 1) << 12 | (groupCount - 1) << 8
            | memberIndex << 4 | (memberThreshold - 1)
        words[2] = parameters >> 10
        words[3] = parameters & 0x3FF

        // Start with the padding bits as if already read, so that every word boundary falls on a 10-bit mark.
        var pending = 10 * valueWords - 8 * value.count
        var accumulator: UInt32 = 0
        var position = SLIP39.headerLength
        value.withUnsafeBytes { bytes in
            for byte in bytes {
                accumulator = accumulator << 8 | UInt32(byte)
                pending += 8
                if pending >= 10 {
                    pending -= 10
                    words[position] = Int(accumulator >> UInt32(pending) & 0x3FF)
                    position += 1
                    accumulator &= (1 << UInt32(pending)) - 1
                }
            }
        }
        SLIP39.RS1024.appendChecksum(to: words, extendable: extendable)
        return words
    }

    /// Parses and checks one mnemonic given as a `String`, through a copy of its UTF-8 in protected memory.
    init(mnemonic: String) throws(SLIP39Error) {
        let bytes = try liftingCryptoError { () throws(CryptoError) in try SLIP39.protectedUTF8(of: mnemonic) }
        try self.init(mnemonicBytes: bytes)
    }

    /// Parses and checks one mnemonic: known words, a possible length, the checksum, a group threshold no greater
    /// than the group count, and zero padding, in the reference implementation's order.
    ///
    /// Words are separated by any run of ASCII whitespace and compared with the wordlist without regard to ASCII
    /// case, byte by byte: no word is ever copied out of `mnemonicBytes`.
    init(mnemonicBytes: SecretBytes) throws(SLIP39Error) {
        let wordCount = mnemonicBytes.withUnsafeBytes { text in
            var count = 0
            SLIP39.forEachWord(in: text) { _, _ in count += 1 }
            return count
        }
        let indices = try liftingCryptoError { () throws(CryptoError) in try SLIP39.WordIndices(count: wordCount) }
        let unknownWord: Int? = mnemonicBytes.withUnsafeBytes { text in
            var unknown: Int?
            SLIP39.forEachWord(in: text) { position, word in
                guard unknown == nil else { return }
                if let index = SLIP39.indexOfWord(word) {
                    indices[position] = index
                } else {
                    unknown = position
                }
            }
            return unknown
        }
        if let unknownWord { throw SLIP39Error(.invalidWord, wordPosition: unknownWord + 1) }

        let valueWords = wordCount - SLIP39.metadataLength
        let paddingBits = (10 * valueWords) % 16
        guard wordCount >= SLIP39.minimumMnemonicLength, paddingBits <= 8 else {
            throw SLIP39Error(.invalidLength(wordCount: wordCount))
        }

        let head = indices[0] << 10 | indices[1]
        let extendable = (head >> 4) & 1 == 1
        guard SLIP39.RS1024.verify(indices, extendable: extendable) else {
            let position = SLIP39.RS1024.locateSingleError(in: indices)
            throw SLIP39Error(.checksumMismatch, wordPosition: position.map { $0 + 1 })
        }

        let parameters = indices[2] << 10 | indices[3]
        let groupThreshold = (parameters >> 12 & 0xF) + 1
        let groupCount = (parameters >> 8 & 0xF) + 1
        guard groupThreshold <= groupCount else { throw SLIP39Error(.groupThresholdExceedsGroupCount) }

        let value = try liftingCryptoError { () throws(CryptoError) in
            try SecretBytes(count: (10 * valueWords - paddingBits) / 8)
        }
        var paddingIsZero = true
        value.withUnsafeMutableBytes { bytes in
            var skip = paddingBits
            var accumulator: UInt32 = 0
            var pending = 0
            var output = 0
            for position in SLIP39.headerLength..<(SLIP39.headerLength + valueWords) {
                accumulator = accumulator << 10 | UInt32(indices[position])
                pending += 10
                if skip > 0 {
                    // The padding fits in the first word (at most 8 bits), so this runs once.
                    pending -= skip
                    paddingIsZero = accumulator >> UInt32(pending) == 0
                    accumulator &= (1 << UInt32(pending)) - 1
                    skip = 0
                }
                while pending >= 8 {
                    pending -= 8
                    bytes[output] = UInt8(accumulator >> UInt32(pending) & 0xFF)
                    output += 1
                    accumulator &= (1 << UInt32(pending)) - 1
                }
            }
        }
        guard paddingIsZero else { throw SLIP39Error(.invalidPadding) }

        self.init(
            identifier: head >> 5, extendable: extendable, iterationExponent: head & 0xF,
            groupIndex: parameters >> 16, groupThreshold: groupThreshold, groupCount: groupCount,
            memberIndex: parameters >> 4 & 0xF, memberThreshold: (parameters & 0xF) + 1, value: value
        )
    }
}

extension SLIP39 {
    /// Each word's position in ``wordlist``, for tests; mnemonics are parsed with ``indexOfWord(_:)``, which
    /// needs no `String` of the word.
    static let wordIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: wordlist.enumerated().map { ($0.element, $0.offset) }
    )
}

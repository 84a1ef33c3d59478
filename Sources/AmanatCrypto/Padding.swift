import CSodium

/// Length-hiding padding (ISO/IEC 7816-4 through `sodium_pad`) to coarse buckets, so that the size of
/// a sealed section does not betray the length of a name.
public enum Padding {
    /// The smallest bucket.
    public static let minimumBucket = 512
    /// Buckets grow as powers of two up to this size, then in multiples of it.
    public static let largeStep = 65_536

    /// The padded size for `length` bytes of plaintext: the next power of two of at least 512 that
    /// leaves room for the 0x80 marker, up to 64 KiB; beyond that the next multiple of 64 KiB.
    public static func bucket(forLength length: Int) -> Int {
        let needed = length + 1
        if needed <= largeStep {
            var size = minimumBucket
            while size < needed { size <<= 1 }
            return size
        }
        return (needed + largeStep - 1) / largeStep * largeStep
    }

    /// True when `size` is a size that ``bucket(forLength:)`` can return.
    public static func isBucket(_ size: Int) -> Bool {
        guard size >= minimumBucket else { return false }
        if size <= largeStep { return size & (size - 1) == 0 }
        return size % largeStep == 0
    }

    /// Pads `plaintext` into a new buffer of ``bucket(forLength:)`` bytes.
    public static func pad(_ plaintext: UnsafeRawBufferPointer) throws(CryptoError) -> SecretBytes {
        try Sodium.initialise()
        let size = bucket(forLength: plaintext.count)
        let padded = try SecretBytes(count: size)
        var paddedLength = 0
        let rc = padded.withUnsafeMutableBytes { out in
            if let source = plaintext.baseAddress, plaintext.count > 0 {
                out.baseAddress!.copyMemory(from: source, byteCount: plaintext.count)
            }
            // A block size equal to the bucket pads to exactly one block past the content.
            let block = size <= largeStep ? size : largeStep
            return sodium_pad(
                &paddedLength, out.baseAddress!.assumingMemoryBound(to: UInt8.self), plaintext.count, block, size
            )
        }
        try CryptoError.check(rc, .invalidPadding)
        precondition(paddedLength == size, "padding produced an unexpected size")
        return padded
    }

    /// The length of the content inside padded bytes, or an error if the padding is malformed.
    public static func unpaddedLength(_ padded: SecretBytes) throws(CryptoError) -> Int {
        try Sodium.initialise()
        guard isBucket(padded.count) else { throw CryptoError(.invalidPadding) }
        let block = padded.count <= largeStep ? padded.count : largeStep
        var length = 0
        let rc = padded.withUnsafeBytes { buffer in
            sodium_unpad(&length, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), buffer.count, block)
        }
        try CryptoError.check(rc, .invalidPadding)
        return length
    }
}

/// Length-hiding padding (ISO/IEC 7816-4, as `sodium_pad` writes it) to coarse buckets, so that the size of
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

    /// The padded size for `length` bytes of a section whose form sets `minimum` (a bucket; 0 for none): the larger
    /// of ``bucket(forLength:)`` and `minimum`, so that most sections of a form are one size whatever the script,
    /// the length and the number of the names in them. Being a bucket, it is a size every reader accepts.
    public static func bucket(forLength length: Int, minimum: Int) -> Int {
        precondition(minimum == 0 || isBucket(minimum), "a minimum padded size must be a bucket")
        return max(bucket(forLength: length), minimum)
    }

    /// True when `size` is a size that ``bucket(forLength:)`` can return.
    public static func isBucket(_ size: Int) -> Bool {
        guard size >= minimumBucket else { return false }
        if size <= largeStep { return size & (size - 1) == 0 }
        return size % largeStep == 0
    }

    /// Pads `plaintext` into a new buffer of ``bucket(forLength:minimum:)`` bytes.
    public static func pad(_ plaintext: UnsafeRawBufferPointer, minimum: Int = 0) throws(CryptoError) -> SecretBytes {
        try Sodium.initialise()
        let size = bucket(forLength: plaintext.count, minimum: minimum)
        let padded = try SecretBytes(count: size)
        // The same bytes as `sodium_pad` (the content, 0x80, then zeros to the end of the bucket), written
        // directly: `sodium_pad` runs in constant time over a whole block, which for a bucket-sized block cost
        // as much as a fifth of sealing the section, and the sealing side has no length to hide from itself
        // (the request that carried the plaintext had the same length). Unpadding checks `sodium_unpad`'s rule,
        // also in variable time (`unpaddedLength`).
        padded.withUnsafeMutableBytes { out in
            if let source = plaintext.baseAddress, plaintext.count > 0 {
                out.baseAddress!.copyMemory(from: source, byteCount: plaintext.count)
            }
            out[plaintext.count] = 0x80
            let tail = UnsafeMutableRawBufferPointer(rebasing: out[(plaintext.count + 1)...])
            if !tail.isEmpty { tail.initializeMemory(as: UInt8.self, repeating: 0) }
        }
        return padded
    }

    /// The length of the content inside padded bytes, or an error if the padding is malformed.
    ///
    /// The rule is `sodium_unpad`'s with a block of `min(size, 64 KiB)` (docs/FORMAT.md, section 5): scanning back
    /// from the last byte over at most the last block, zero bytes must be followed by 0x80. It is checked here in
    /// variable time, eight bytes at a step, instead of by `sodium_unpad`, which walks the whole block in constant
    /// time (about 15% of the key holder's CPU per record). Only authenticated plaintext is unpadded, and its
    /// length is what the caller goes on to reveal by using the content, so the timing tells nothing more.
    public static func unpaddedLength(_ padded: SecretBytes) throws(CryptoError) -> Int {
        guard isBucket(padded.count) else { throw CryptoError(.invalidPadding) }
        let block = min(padded.count, largeStep)
        let marker: Int? = padded.withUnsafeBytes { bytes in
            let floor = bytes.count - block
            var end = bytes.count
            // Whole zero words first, then byte by byte.
            while end - 8 >= floor, bytes.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self) == 0 { end -= 8 }
            while end > floor {
                let byte = bytes[end - 1]
                if byte != 0 { return byte == 0x80 ? end - 1 : nil }
                end -= 1
            }
            return nil
        }
        guard let marker else { throw CryptoError(.invalidPadding) }
        return marker
    }
}

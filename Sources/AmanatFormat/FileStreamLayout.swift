/// The sizes of an attachment stream (docs/FORMAT.md section 13): what every party can compute from a file's
/// plain size alone, before any byte is read or any key is known.
///
/// ```
/// "AMFS" | version 0x01 | secretstream header (24) | chunk 1 … chunk n
/// ```
///
/// The plaintext of the stream is the file's bytes followed by zero bytes up to ``paddedSize(plainSize:)``,
/// cut into pieces of ``chunkBytes`` (the last one shorter, possibly empty), each sealed with
/// `crypto_secretstream_xchacha20poly1305_push` and growing by ``chunkOverhead`` bytes.
public enum FileStreamLayout {
    /// The four bytes that start every stream.
    public static let magic: [UInt8] = Array("AMFS".utf8)
    /// The only version this code reads or writes.
    public static let version: UInt8 = 1
    /// `crypto_secretstream_xchacha20poly1305_HEADERBYTES`.
    public static let headerBytes = 24
    /// Magic, version and the secretstream header: the bytes before the first chunk.
    public static let preambleBytes = 4 + 1 + headerBytes
    /// Plaintext bytes in every chunk but the last.
    public static let chunkBytes = 65536
    /// `crypto_secretstream_xchacha20poly1305_ABYTES`: each chunk's ciphertext is its plaintext plus this.
    public static let chunkOverhead = 17
    /// The smallest padded size: files of at most this many bytes all look alike.
    public static let minimumPaddedSize: UInt64 = 256
    /// The stored size of an empty file, the smallest a stream can be.
    public static let minimumStoredSize: UInt64 = storedSize(plainSize: 0)
    /// The largest plain size these formulas accept: far above any limit, and it keeps them free of overflow.
    public static let maximumPlainSize: UInt64 = 1 << 50

    /// Padmé (Nikitin et al., PETS 2019): the length a file of `plainSize` bytes is padded to, so that the
    /// stored size reveals O(log log n) bits of it. At least ``minimumPaddedSize``.
    public static func paddedSize(plainSize: UInt64) -> UInt64 {
        precondition(plainSize <= maximumPlainSize, "file size out of range")
        guard plainSize > minimumPaddedSize else { return minimumPaddedSize }
        let exponent = UInt64(63 - plainSize.leadingZeroBitCount)            // floor(log2 P)
        let exponentBits = UInt64(64 - exponent.leadingZeroBitCount)         // floor(log2 E) + 1
        let mask: UInt64 = (1 << (exponent - exponentBits)) - 1
        return (plainSize + mask) & ~mask
    }

    /// The number of chunks of a stream whose plaintext (padding included) is `paddedSize` bytes: at least one,
    /// so that even an empty plaintext ends with a final chunk.
    public static func chunkCount(paddedSize: UInt64) -> UInt64 {
        let chunk = UInt64(chunkBytes)
        return Swift.max(1, (paddedSize + chunk - 1) / chunk)
    }

    /// The number of bytes stored for a file of `plainSize` bytes.
    public static func storedSize(plainSize: UInt64) -> UInt64 {
        let padded = paddedSize(plainSize: plainSize)
        return UInt64(preambleBytes) + padded + UInt64(chunkOverhead) * chunkCount(paddedSize: padded)
    }

    /// The plaintext length of chunk `index` (0-based) of a stream of `paddedSize` plaintext bytes.
    public static func plainChunkLength(index: UInt64, paddedSize: UInt64) -> Int {
        let count = chunkCount(paddedSize: paddedSize)
        precondition(index < count, "chunk index out of range")
        guard index == count - 1 else { return chunkBytes }
        return Int(paddedSize - index * UInt64(chunkBytes))
    }
}

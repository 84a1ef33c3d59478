import AmanatFormat
import Testing

@Suite struct FileStreamLayoutTests {
    /// Padmé's table from FORMAT.md section 13, and the formula's edges.
    @Test(arguments: [
        (0, 256), (1, 256), (256, 256), (257, 272), (1000, 1024), (65536, 65536), (65537, 67584),
        (1_048_577, 1_081_344), (1 << 30, 1 << 30), ((1 << 30) + 1, (1 << 30) + (1 << 25)),
        (4_294_967_296, 4_294_967_296), (3_000_000_000, 3_019_898_880),
    ] as [(UInt64, UInt64)])
    func padme(_ plain: UInt64, _ padded: UInt64) {
        #expect(FileStreamLayout.paddedSize(plainSize: plain) == padded)
    }

    /// Padmé's promise: the padded size never falls short, its overhead is under 1/floor(log2 P), and one octave of
    /// sizes pads to at most 2^s + 1 distinct values (s = floor(log2 E) + 1; the last is the next power of two), so a stored size tells O(log log P) bits.
    @Test func padmeBoundsAndLeakage() {
        var plain: UInt64 = 257
        while plain < 1 << 40 {
            let padded = FileStreamLayout.paddedSize(plainSize: plain)
            let exponent = UInt64(63 - plain.leadingZeroBitCount)
            #expect(padded >= plain)
            #expect((padded - plain) * exponent < plain, "overhead under 1/floor(log2 P) at \(plain)")
            plain = plain * 3 / 2 + 7
        }
        // Every size of one octave (2^20 ... 2^21 − 1) pads to one of 2^5 + 1 values (s = 5 for E = 20).
        var distinct = Set<UInt64>()
        var size: UInt64 = 1 << 20
        while size < 1 << 21 {
            distinct.insert(FileStreamLayout.paddedSize(plainSize: size))
            size += 997
        }
        #expect(distinct.count == 33)
    }

    @Test(arguments: [
        (0, 302, 1), (256, 302, 1), (65536, 65536 + 29 + 17, 1),
        (65537, 67584 + 29 + 17 * 2, 2), (1 << 30, (1 << 30) + 29 + 17 * 16384, 16384),
    ] as [(UInt64, UInt64, UInt64)])
    func storedSizes(_ plain: UInt64, _ stored: UInt64, _ chunks: UInt64) {
        #expect(FileStreamLayout.storedSize(plainSize: plain) == stored)
        #expect(FileStreamLayout.chunkCount(paddedSize: FileStreamLayout.paddedSize(plainSize: plain)) == chunks)
    }

    @Test func chunkLengths() {
        #expect(FileStreamLayout.plainChunkLength(index: 0, paddedSize: 256) == 256)
        #expect(FileStreamLayout.plainChunkLength(index: 0, paddedSize: 67584) == 65536)
        #expect(FileStreamLayout.plainChunkLength(index: 1, paddedSize: 67584) == 2048)
        #expect(FileStreamLayout.plainChunkLength(index: 0, paddedSize: 65536) == 65536)
        #expect(FileStreamLayout.minimumStoredSize == 302)
    }
}

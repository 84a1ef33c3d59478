@testable import AmanatCrypto
import CSodium
import Testing

@Suite struct PaddingTests {
    @Test(arguments: [
        (0, 512), (1, 512), (510, 512), (511, 512), (512, 1024), (1023, 1024), (1024, 2048),
        (4095, 4096), (32_767, 32_768), (32_768, 65_536), (65_535, 65_536), (65_536, 131_072),
        (131_071, 131_072), (131_072, 196_608), (196_607, 196_608), (1_000_000, 1_048_576),
    ])
    func bucketTable(_ length: Int, _ bucket: Int) {
        #expect(Padding.bucket(forLength: length) == bucket)
        #expect(Padding.isBucket(bucket))
    }

    @Test(arguments: [512, 1024, 2048, 4096, 8192, 16_384, 32_768, 65_536, 131_072, 196_608, 16 << 20])
    func bucketsAreBuckets(_ size: Int) {
        #expect(Padding.isBucket(size))
    }

    @Test(arguments: [0, 1, 256, 511, 513, 768, 1000, 65_535, 65_537, 66_048, 98_304, 131_073, -512])
    func otherSizesAreNotBuckets(_ size: Int) {
        #expect(!Padding.isBucket(size))
    }

    @Test(arguments: [0, 1, 17, 511, 512, 1000, 65_535, 65_536, 70_000, 131_071, 131_072])
    func padThenUnpad(_ length: Int) throws {
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let padded = try plaintext.withUnsafeBytes { try Padding.pad($0) }
        #expect(padded.count == Padding.bucket(forLength: length))
        padded.withUnsafeBytes { bytes in
            #expect(Array(bytes[0..<length]) == plaintext)
            #expect(bytes[length] == 0x80)
            #expect(bytes[(length + 1)...].allSatisfy { $0 == 0 })
        }
        #expect(try Padding.unpaddedLength(padded) == length)
    }

    /// A form's minimum (a bucket) lifts small sections to it and leaves larger ones at their own bucket; what it
    /// pads, a reader that knows nothing of minimums unpads.
    @Test(arguments: [
        (0, 0, 512), (600, 0, 1024), (0, 8192, 8192), (1, 8192, 8192), (8191, 8192, 8192), (8192, 8192, 16_384),
        (20_000, 8192, 32_768), (3000, 32_768, 32_768), (40_000, 32_768, 65_536), (70_000, 65_536, 131_072),
        (100, 65_536, 65_536), (200_000, 65_536, 262_144),
    ])
    func padWithAMinimum(_ length: Int, _ minimum: Int, _ size: Int) throws {
        #expect(Padding.bucket(forLength: length, minimum: minimum) == size)
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
        let padded = try plaintext.withUnsafeBytes { try Padding.pad($0, minimum: minimum) }
        #expect(padded.count == size && Padding.isBucket(padded.count))
        padded.withUnsafeBytes { bytes in
            #expect(Array(bytes[0..<length]) == plaintext)
            #expect(bytes[length] == 0x80 && bytes[(length + 1)...].allSatisfy { $0 == 0 })
        }
        #expect(try Padding.unpaddedLength(padded) == length)
    }

    /// Malformed padding, each in a buffer of a valid bucket size unless the case is about the size.
    @Test(arguments: [
        ("no marker", [UInt8](repeating: 0x41, count: 20) + [UInt8](repeating: 0, count: 492)),
        ("all zero", [UInt8](repeating: 0, count: 512)),
        ("no padding at all", [UInt8](repeating: 0x41, count: 512)),
        ("non-zero after the marker",
         [0x41, 0x80] + [UInt8](repeating: 0, count: 500) + [1] + [UInt8](repeating: 0, count: 9)),
        ("0x81 as the marker", [0x41, 0x81] + [UInt8](repeating: 0, count: 510)),
        ("valid padding in a size that is not a bucket", [0x41, 0x80] + [UInt8](repeating: 0, count: 498)),
        ("empty", []),
    ])
    func malformedPaddingIsRefused(_ label: String, _ bytes: [UInt8]) throws {
        let padded = try bytes.withUnsafeBytes { try SecretBytes(copying: $0) }
        #expect(throws: CryptoError(.invalidPadding), "\(label)") { _ = try Padding.unpaddedLength(padded) }
    }

    @Test func aMarkerOutsideTheLastLargeBlockIsRefused() throws {
        // 131072 bytes unpad with a 64 KiB block: the marker must be in the last block.
        var bytes = [UInt8](repeating: 0, count: 131_072)
        bytes[10] = 0x80
        let padded = try bytes.withUnsafeBytes { try SecretBytes(copying: $0) }
        #expect(throws: CryptoError(.invalidPadding)) { _ = try Padding.unpaddedLength(padded) }
    }

    /// The variable-time check agrees with `sodium_unpad` on every kind of tail: markers at and around the
    /// block's edge, other bytes in place of the marker, bytes after it, and no marker at all.
    @Test(arguments: [512, 4096, 8192, 65_536, 131_072])
    func agreesWithSodiumUnpad(_ size: Int) throws {
        try Sodium.initialise()
        let block = min(size, Padding.largeStep)
        var generator = SystemRandomNumberGenerator()
        var positions = [0, 1, 7, 8, 9, size - block - 1, size - block, size - block + 1, size - 9, size - 8, size - 2, size - 1]
        positions += (0..<12).map { _ in Int.random(in: 0..<size, using: &generator) }
        for position in positions where position >= 0 {
            for marker: UInt8 in [0x80, 0x81, 0x01, 0x00] {
                for noise in [false, true] {
                    // Content (never zero, like most text) up to the marker, zeros after it.
                    var bytes = [UInt8](repeating: 0x5A, count: position) + [UInt8](repeating: 0, count: size - position)
                    bytes[position] = marker
                    if noise, position + 1 < size { bytes[Int.random(in: (position + 1)..<size, using: &generator)] = 1 }
                    var expected = 0
                    let rc = bytes.withUnsafeBufferPointer { sodium_unpad(&expected, $0.baseAddress!, size, block) }
                    let padded = try bytes.withUnsafeBytes { try SecretBytes(copying: $0) }
                    let ours = try? Padding.unpaddedLength(padded)
                    #expect(ours == (rc == 0 ? expected : nil), "size \(size), marker \(marker) at \(position), noise \(noise)")
                }
            }
        }
    }
}

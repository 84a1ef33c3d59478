import AmanatCrypto
import Testing

@Suite struct SecretBytesTests {
    private func bytes(_ values: [UInt8]) throws -> SecretBytes {
        try values.withUnsafeBytes { try SecretBytes(copying: $0) }
    }

    private func contents(_ secret: SecretBytes) -> [UInt8] {
        secret.withUnsafeBytes { Array($0) }
    }

    @Test func descriptionsAreRedacted() throws {
        let secret = try bytes(Array("hunter2-secret".utf8))
        #expect(secret.description == "<redacted 14 bytes>")
        #expect(secret.debugDescription == "<redacted 14 bytes>")
        #expect("\(secret)" == "<redacted 14 bytes>")
        #expect(String(reflecting: secret) == "<redacted 14 bytes>")
        #expect(try SecretBytes(count: 0).description == "<redacted 0 bytes>")
    }

    @Test func newBytesAreZeroedAndCopiesAreExact() throws {
        #expect(contents(try SecretBytes(count: 64)) == [UInt8](repeating: 0, count: 64))
        let values: [UInt8] = [1, 2, 3, 250, 0, 255]
        #expect(contents(try bytes(values)) == values)
        #expect(try bytes([]).count == 0)
    }

    @Test func equalityComparesContents() throws {
        let values = (0..<32).map { UInt8($0) }
        #expect(try bytes(values) == (try bytes(values)))
        #expect(try bytes([]) == (try bytes([])))
        var first = values
        first[0] ^= 1
        var last = values
        last[31] ^= 0x80
        #expect(try bytes(values) != (try bytes(first)))
        #expect(try bytes(values) != (try bytes(last)))
        #expect(try bytes(values) != (try bytes(Array(values.prefix(31)))))
        #expect(try bytes(Array(values.prefix(31))) != (try bytes(values)))
    }

    @Test func sliceCopiesTheRange() throws {
        let secret = try bytes([10, 11, 12, 13, 14, 15])
        let slice = try secret.slice(2..<5)
        #expect(contents(slice) == [12, 13, 14])
        #expect(try secret.slice(0..<0).count == 0)
        #expect(contents(try secret.slice(0..<6)) == contents(secret))
        // The slice is a copy: wiping the original leaves it alone.
        secret.wipe()
        #expect(contents(slice) == [12, 13, 14])
    }

    @Test func wipeZeroesEveryByte() throws {
        let secret = try bytes([UInt8](repeating: 0xA5, count: 100))
        secret.wipe()
        #expect(secret.count == 100)
        #expect(contents(secret) == [UInt8](repeating: 0, count: 100))
    }

    @Test func randomBytesDiffer() throws {
        let first = try SecretBytes.random(count: 32)
        let second = try SecretBytes.random(count: 32)
        #expect(first.count == 32)
        #expect(first != second)
        #expect(contents(first) != [UInt8](repeating: 0, count: 32))
    }

    @Test func aReleasedRegionReusedForTheNextSecretComesBackZeroed() throws {
        // Released buffers are kept for the next one of the same size (ProtectedRegionCache): the next secret of
        // that size must get the very region the last one held, and get it zeroed.
        var released: UnsafeRawPointer?
        do {
            let secret = try bytes([UInt8](repeating: 0x5A, count: 777))
            #expect(contents(secret) == [UInt8](repeating: 0x5A, count: 777))
            released = secret.withUnsafeBytes { UnsafeRawPointer($0.baseAddress) }
        }
        let next = try SecretBytes(count: 777)
        let reused = next.withUnsafeBytes { UnsafeRawPointer($0.baseAddress) }
        #expect(reused != nil && reused == released, "the released region was not reused, so this test proves nothing")
        #expect(contents(next) == [UInt8](repeating: 0, count: 777))
    }

    @Test func mutableAccessWritesThrough() throws {
        let secret = try SecretBytes(count: 4)
        secret.withUnsafeMutableBytes { $0[2] = 9 }
        #expect(contents(secret) == [0, 0, 9, 0])
    }
}

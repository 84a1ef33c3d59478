import AmanatCrypto
import AmanatFileSealing
import AmanatFormat
import AmanatKeys
import Testing

/// The attachment stream (FORMAT.md section 13) end to end in memory: what amanat writes, the key holder reads,
/// and every way a stored stream can be damaged is refused.
@Suite struct FileStreamTests {
    /// Encrypts `plain`, padded as FORMAT.md says, and returns the stored bytes.
    static func seal(_ plain: [UInt8], key: SecretBytes) throws -> [UInt8] {
        let padded = FileStreamLayout.paddedSize(plainSize: UInt64(plain.count))
        let stream = plain + [UInt8](repeating: 0, count: Int(padded) - plain.count)
        let encryptor = try FileStreamEncryptor(key: key)
        var stored = encryptor.preamble
        let count = FileStreamLayout.chunkCount(paddedSize: padded)
        for index in 0..<count {
            let start = Int(index) * FileStreamLayout.chunkBytes
            let length = FileStreamLayout.plainChunkLength(index: index, paddedSize: padded)
            stored += try stream[start..<start + length].withUnsafeBytes {
                try encryptor.push($0, final: index == count - 1)
            }
        }
        #expect(UInt64(stored.count) == FileStreamLayout.storedSize(plainSize: UInt64(plain.count)))
        return stored
    }

    /// Reads stored bytes back as the key holder must: sizes first, then every chunk with the tag its place needs,
    /// then the padding. Returns the file's bytes.
    static func open(_ stored: [UInt8], plainSize: Int, key: SecretBytes) throws -> [UInt8] {
        let padded = FileStreamLayout.paddedSize(plainSize: UInt64(plainSize))
        let expected = FileStreamLayout.storedSize(plainSize: UInt64(plainSize))
        guard UInt64(stored.count) <= expected else { throw FileStreamError(.trailingBytes) }
        guard UInt64(stored.count) == expected else { throw FileStreamError(.truncated) }
        let decryptor = try FileStreamDecryptor(key: key, preamble: Array(stored[0..<FileStreamLayout.preambleBytes]))
        var offset = FileStreamLayout.preambleBytes
        var plain: [UInt8] = []
        let count = FileStreamLayout.chunkCount(paddedSize: padded)
        for index in 0..<count {
            let length = FileStreamLayout.plainChunkLength(index: index, paddedSize: padded) + FileStreamLayout.chunkOverhead
            var out = [UInt8](repeating: 0, count: length)
            let chunk = Array(stored[offset..<offset + length])
            let result = try chunk.withUnsafeBytes { chunk in
                try out.withUnsafeMutableBytes { output in try decryptor.pull(chunk, into: output) }
            }
            guard result.isFinal == (index == count - 1) else { throw FileStreamError(.truncated) }
            plain += out[0..<result.count]
            offset += length
        }
        guard plain[plainSize...].allSatisfy({ $0 == 0 }) else { throw FileStreamError(.badPadding) }
        return Array(plain[0..<plainSize])
    }

    static func sample(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
    }

    @Test(arguments: [0, 1, 256, 257, 65535, 65536, 65537, 300_000])
    func roundTrip(_ size: Int) throws {
        let key = try SecretBytes.random(count: 32)
        let plain = Self.sample(size)
        #expect(try Self.open(try Self.seal(plain, key: key), plainSize: size, key: key) == plain)
    }

    /// Two streams of the same file under the same key still differ (a fresh header each time).
    @Test func freshHeaderPerStream() throws {
        let key = try SecretBytes.random(count: 32)
        #expect(try Self.seal(Self.sample(1000), key: key) != Self.seal(Self.sample(1000), key: key))
    }

    /// A copy taken mid-stream produces the same bytes as the original from there: what lets amanat resume.
    @Test func copyReproducesTheSameBytes() throws {
        let key = try SecretBytes.random(count: 32)
        let encryptor = try FileStreamEncryptor(key: key)
        let piece = Self.sample(FileStreamLayout.chunkBytes)
        _ = try piece.withUnsafeBytes { try encryptor.push($0, final: false) }
        let snapshot = try encryptor.copy()
        let next = try piece.withUnsafeBytes { try encryptor.push($0, final: false) }
        let again = try piece.withUnsafeBytes { try snapshot.push($0, final: false) }
        #expect(next == again)
        let later = try piece.withUnsafeBytes { try encryptor.push($0, final: true) }
        #expect(later != next, "the state moved on")
    }

    @Test func damageIsDetected() throws {
        let key = try SecretBytes.random(count: 32)
        let size = 3 * FileStreamLayout.chunkBytes + 100
        let stored = try Self.seal(Self.sample(size), key: key)
        let chunk = FileStreamLayout.chunkBytes + FileStreamLayout.chunkOverhead
        let first = FileStreamLayout.preambleBytes

        var flipped = stored
        flipped[first + chunk + 40] ^= 0x01
        #expect(throws: FileStreamError(.chunkAuthentication)) { try Self.open(flipped, plainSize: size, key: key) }

        var reordered = stored
        reordered.replaceSubrange(first..<first + chunk, with: stored[first + chunk..<first + 2 * chunk])
        reordered.replaceSubrange(first + chunk..<first + 2 * chunk, with: stored[first..<first + chunk])
        #expect(throws: FileStreamError(.chunkAuthentication)) { try Self.open(reordered, plainSize: size, key: key) }

        var dropped = stored
        dropped.removeSubrange(first + chunk..<first + 2 * chunk)
        #expect(throws: FileStreamError(.truncated)) { try Self.open(dropped, plainSize: size, key: key) }
        // Claiming a smaller file so that the sizes fit still fails: the nonce chain breaks at the gap.
        let smaller = size - FileStreamLayout.chunkBytes
        #expect(throws: FileStreamError(.chunkAuthentication)) { try Self.open(dropped, plainSize: smaller, key: key) }

        let cut = Array(stored.dropLast(chunk))
        #expect(throws: FileStreamError(.truncated)) { try Self.open(cut, plainSize: size, key: key) }

        var badMagic = stored
        badMagic[0] = UInt8(ascii: "X")
        #expect(throws: FileStreamError(.badMagic)) { try Self.open(badMagic, plainSize: size, key: key) }

        let otherKey = try SecretBytes.random(count: 32)
        #expect(throws: FileStreamError(.chunkAuthentication)) { try Self.open(stored, plainSize: size, key: otherKey) }
        #expect(throws: FileStreamError(.trailingBytes)) { try Self.open(stored + [0], plainSize: size, key: key) }
    }

    /// A stream that ends with a MESSAGE chunk where its size says FINAL is cut: made by sealing a longer file and
    /// keeping the first chunks, then claiming the shorter size.
    @Test func missingFinalChunkIsDetected() throws {
        let key = try SecretBytes.random(count: 32)
        let stored = try Self.seal(Self.sample(2 * FileStreamLayout.chunkBytes + 5000), key: key)
        let oneChunk = FileStreamLayout.chunkBytes
        let keep = Int(FileStreamLayout.storedSize(plainSize: UInt64(oneChunk)))
        #expect(throws: FileStreamError(.truncated)) {
            try Self.open(Array(stored[0..<keep]), plainSize: oneChunk, key: key)
        }
    }

    /// Non-zero padding, which a writer must not produce, is refused.
    @Test func nonZeroPaddingIsRefused() throws {
        let key = try SecretBytes.random(count: 32)
        var padded = Self.sample(100)
        padded += [UInt8](repeating: 0, count: 155) + [7]
        let stored = try Self.seal(padded, key: key)   // 256 bytes: the same stream size as a 100-byte file
        #expect(throws: FileStreamError(.badPadding)) { try Self.open(stored, plainSize: 100, key: key) }
    }
}

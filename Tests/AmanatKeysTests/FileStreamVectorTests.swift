import AmanatCrypto
import AmanatFormat
import AmanatKeys
import Foundation
import Testing

/// `FileStreamDecryptor` and `FileStreamLayout` against Tests/Vectors/stream/: streams made once with PyNaCl from
/// FORMAT.md section 13 (Tests/Vectors/stream.py), each a file key, a sealed size and SHA-256, and stored bytes. A
/// reader that follows section 13.5 must open the `ok` ones to the file (byte i is i mod 251) and refuse every
/// other one at the check its `expect:` names.
@Suite struct FileStreamVectorTests {
    static let vectors = Vector.load("stream")

    @Test func theVectorsAreThere() {
        #expect(Self.vectors.count == 26, "Tests/Vectors/stream/ is missing vectors")
    }

    /// What section 13.5's checks find in a vector: `ok`, or the `expect:` name of the first check that fails.
    static func outcome(of vector: Vector) throws -> String {
        let size = try #require(UInt64(try vector.field("size")))
        let stored = try #require(Data(base64Encoded: try vector.field("stream")).map { [UInt8]($0) })
        let sealedHash = try #require(Hex.decode(try vector.field("sha256")))
        let keyBytes = try #require(Hex.decode(try vector.field("key")))
        let key = try keyBytes.withUnsafeBytes { try SecretBytes(copying: $0) }
        // Check 1: the size, before any cryptography.
        guard UInt64(stored.count) == FileStreamLayout.storedSize(plainSize: size) else { return "wrong size" }
        // Check 2: the preamble.
        let decryptor: FileStreamDecryptor
        do {
            decryptor = try FileStreamDecryptor(key: key, preamble: Array(stored[0..<FileStreamLayout.preambleBytes]))
        } catch {
            #expect([.badMagic, .unsupportedVersion].contains(error.kind))
            return "bad preamble"
        }
        // Checks 3 to 7, chunk by chunk; 8 at the end.
        let padded = FileStreamLayout.paddedSize(plainSize: size)
        let count = FileStreamLayout.chunkCount(paddedSize: padded)
        var offset = FileStreamLayout.preambleBytes
        var plain: [UInt8] = []
        for index in 0..<count {
            let length = FileStreamLayout.plainChunkLength(index: index, paddedSize: padded) + FileStreamLayout.chunkOverhead
            var output = [UInt8](repeating: 0, count: length - FileStreamLayout.chunkOverhead)
            let pulled: (count: Int, isFinal: Bool)
            do {
                pulled = try stored[offset..<offset + length].withUnsafeBytes { chunk in
                    try output.withUnsafeMutableBytes { try decryptor.pull(chunk, into: $0) }
                }
            } catch let error as FileStreamError {
                switch error.kind {
                case .chunkAuthentication: return "auth failure"
                case .badTag: return "unknown tag"
                default: return "unexpected \(error.kind)"
                }
            }
            let last = index == count - 1
            if pulled.isFinal && !last { return "final too early" }
            if !pulled.isFinal && last { return "not final" }
            plain += output[0..<pulled.count]
            offset += length
        }
        guard plain[Int(size)...].allSatisfy({ $0 == 0 }) else { return "bad padding" }
        let file = Array(plain[0..<Int(size)])
        guard SHA256.hash(file) == sealedHash else { return "hash mismatch" }
        #expect(file == (0..<Int(size)).map { UInt8($0 % 251) }, "\(vector.name) opened to other bytes")
        return "ok"
    }

    @Test(arguments: vectors)
    func aReaderFindsWhatTheVectorSays(_ vector: Vector) throws {
        try #require(vector.problem == nil, "\(vector.name): \(vector.problem ?? "")")
        #expect(try Self.outcome(of: vector) == vector.expect)
    }
}

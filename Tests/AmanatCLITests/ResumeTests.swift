import AmanatCrypto
import AmanatFileSealing
import AmanatFormat
@testable import amanat
import Foundation
import Glibc
import Testing

/// Resuming re-encrypts a segment from the snapshot taken at its start and skips what amanatd holds: the bytes
/// sent after a cut must be exactly those an unbroken send would have sent, and a file changed meanwhile must be
/// caught.
@Suite("amanat: resuming a stream") struct ResumeTests {
    /// A file of `size` bytes of a repeatable pattern, in a fresh directory.
    final class TestFile {
        let directory: String
        let path: String

        init(size: Int, seed: UInt8 = 7) throws {
            var template = Array("/tmp/amanat-cli-test-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
            directory = String(cString: made)
            path = directory + "/evidence.bin"
            var state = UInt32(seed) | 1
            let bytes = (0..<size).map { _ -> UInt8 in
                state = state &* 1_103_515_245 &+ 12_345
                return UInt8(truncatingIfNeeded: state >> 16)
            }
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }

        var bytes: [UInt8] { [UInt8](FileManager.default.contents(atPath: path)!) }

        func overwrite(at offset: Int, with byte: UInt8) {
            let fd = open(path, O_WRONLY)
            var value = byte
            _ = pwrite(fd, &value, 1, off_t(offset))
            close(fd)
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The whole stream of `file` in segments, each made once: what an unbroken upload sends.
    static func unbrokenStream(
        _ file: EvidenceFile, plan: StreamPlan, encryptor: FileStreamEncryptor
    ) throws -> ([UInt8], [UInt8]) {
        var hasher = SHA256()
        var stream: [UInt8] = []
        for index in 0..<plan.segmentCount {
            var producer = SegmentProducer(
                plan: plan, segment: plan.segment(index), file: file, encryptor: encryptor, hasher: hasher,
                tags: ChunkTags()
            )
            try producer.run(skipping: 0) { stream += $0; return true }
            hasher = producer.hasher
        }
        return (stream, hasher.finalize())
    }

    @Test(arguments: [0, 1000, 65_536 * 5 + 17, 65_536 * 7])
    func resumedSegmentsGiveTheSameBytes(size: Int) throws {
        try Sodium.initialise()
        let testFile = try TestFile(size: size)
        let file = try EvidenceFile(path: testFile.path)
        let plan = StreamPlan(plainSize: UInt64(size), chunksPerSegment: 3)
        // The header is random: both sends start from one encryptor's state, as a resume starts from a snapshot.
        let start = try FileStreamEncryptor(key: try SecretBytes.random(count: 32))
        let (expected, expectedHash) = try Self.unbrokenStream(file, plan: plan, encryptor: try start.copy())
        #expect(UInt64(expected.count) == plan.storedSize)
        #expect(expectedHash == SHA256.hash(testFile.bytes))

        // Every segment is cut at a few places (inside the preamble, inside a chunk, on a chunk boundary, at its
        // end); the send resumes from the snapshot at its start and skips what was "durable".
        var encryptor = start
        var hasher = SHA256()
        var stream: [UInt8] = []
        for index in 0..<plan.segmentCount {
            let segment = plan.segment(index)
            let snapshot = try encryptor.copy()
            let savedHasher = hasher
            var tags = ChunkTags()
            let cuts = [UInt64(5), 65_553, 70_000, segment.storedLength].filter { $0 <= segment.storedLength }
            var held: UInt64 = 0
            for cut in cuts {
                // A try that breaks after `cut` bytes of the segment (the connection went: emit says stop).
                var producer = SegmentProducer(
                    plan: plan, segment: segment, file: file, encryptor: try snapshot.copy(), hasher: savedHasher,
                    tags: tags
                )
                var sent = held
                try producer.run(skipping: held) { piece in
                    let take = Int(min(UInt64(piece.count), cut - sent))
                    stream += piece[0..<take]
                    sent += UInt64(take)
                    return sent < cut
                }
                tags = producer.tags
                held = sent
            }
            // The last try ran to the segment's end; the state moves on as after an unbroken segment.
            var finisher = SegmentProducer(
                plan: plan, segment: segment, file: file, encryptor: snapshot, hasher: savedHasher, tags: tags
            )
            try finisher.run(skipping: segment.storedLength) { _ in true }
            hasher = finisher.hasher
            #expect(UInt64(stream.count) == segment.storedEnd)
            encryptor = snapshot
        }
        // Compared as one Bool: a failing #expect on two arrays this long would spend minutes on their diff.
        let same = stream == expected
        #expect(same, "the resumed stream differs from the unbroken one")
        #expect(hasher.finalize() == expectedHash)
    }

    @Test func aFileChangedBeforeTheCutIsCaughtOnResume() throws {
        try Sodium.initialise()
        let testFile = try TestFile(size: 65_536 * 3)
        let file = try EvidenceFile(path: testFile.path)
        let plan = StreamPlan(plainSize: UInt64(65_536 * 3), chunksPerSegment: 1024)
        let key = try SecretBytes.random(count: 32)
        let encryptor = try FileStreamEncryptor(key: key)
        let segment = plan.segment(0)
        var producer = SegmentProducer(
            plan: plan, segment: segment, file: file, encryptor: try encryptor.copy(), hasher: SHA256(),
            tags: ChunkTags()
        )
        var sent: UInt64 = 0
        try producer.run(skipping: 0) { piece in
            sent += UInt64(piece.count)
            return sent < 100_000
        }
        // The witness's file is edited in place (same size) before the resume.
        testFile.overwrite(at: 10, with: testFile.bytes[10] ^ 0xFF)
        var resumed = SegmentProducer(
            plan: plan, segment: segment, file: file, encryptor: try encryptor.copy(), hasher: SHA256(),
            tags: producer.tags
        )
        #expect(throws: EvidenceError.self) {
            try resumed.run(skipping: 90_000) { _ in true }
        }
    }

    @Test func aFileCutShortIsCaught() throws {
        try Sodium.initialise()
        let testFile = try TestFile(size: 200_000)
        let file = try EvidenceFile(path: testFile.path)
        truncate(testFile.path, 100_000)
        #expect(throws: EvidenceError.self) { try file.checkUnchanged() }
        let plan = StreamPlan(plainSize: 200_000)
        var producer = SegmentProducer(
            plan: plan, segment: plan.segment(0), file: file,
            encryptor: try FileStreamEncryptor(key: try SecretBytes.random(count: 32)),
            hasher: SHA256(), tags: ChunkTags()
        )
        #expect(throws: EvidenceError.self) { try producer.run(skipping: 0) { _ in true } }
    }
}

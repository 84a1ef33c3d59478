import AmanatFormat
@testable import amanat
import Testing

/// The segments a stream is sent in, and where each stored byte comes from (FORMAT.md section 13).
@Suite("amanat: stream segments") struct StreamPlanTests {
    static let sizes: [UInt64] = [
        0, 1, 256, 257, 65_535, 65_536, 65_537, 1_000_000, 1_048_577, 64 << 20, (64 << 20) + 1, 300 << 20,
        (1 << 30) + 1, 4 << 30,
    ]

    /// Segments tile the stream: contiguous from 0 to S, each a whole number of chunks, the first with the preamble.
    @Test(arguments: sizes, [1, 3, 1024] as [UInt64])
    func segmentsTileTheStream(plainSize: UInt64, chunksPerSegment: UInt64) {
        let plan = StreamPlan(plainSize: plainSize, chunksPerSegment: chunksPerSegment)
        #expect(plan.storedSize == FileStreamLayout.storedSize(plainSize: plainSize))
        var offset: UInt64 = 0
        var chunk: UInt64 = 0
        var chunkBytes: UInt64 = 0
        for index in 0..<plan.segmentCount {
            let segment = plan.segment(index)
            #expect(segment.storedStart == offset)
            #expect(segment.firstChunk == chunk)
            #expect(segment.endChunk - segment.firstChunk <= chunksPerSegment)
            var length: UInt64 = index == 0 ? UInt64(FileStreamLayout.preambleBytes) : 0
            for chunk in segment.firstChunk..<segment.endChunk {
                length += UInt64(plan.plainLength(ofChunk: chunk) + FileStreamLayout.chunkOverhead)
                chunkBytes += UInt64(plan.plainLength(ofChunk: chunk))
            }
            #expect(segment.storedLength == length)
            #expect(plan.segment(containing: segment.storedStart) == segment)
            #expect(plan.segment(containing: segment.storedEnd - 1) == segment)
            offset = segment.storedEnd
            chunk = segment.endChunk
        }
        #expect(offset == plan.storedSize)
        #expect(chunk == plan.chunkCount)
        #expect(chunkBytes == plan.paddedSize)
        #expect(plan.segment(containing: plan.storedSize) == plan.segment(plan.segmentCount - 1))
        #expect(plan.segment(containing: plan.storedSize + 1) == nil)
    }

    /// The file's bytes fill the chunks from the start; the rest up to T are padding.
    @Test(arguments: sizes)
    func fileBytesThenPadding(plainSize: UInt64) {
        let plan = StreamPlan(plainSize: plainSize)
        var fromFile: UInt64 = 0
        for chunk in 0..<plan.chunkCount {
            let bytes = plan.fileBytes(inChunk: chunk)
            #expect(bytes <= plan.plainLength(ofChunk: chunk))
            if bytes < plan.plainLength(ofChunk: chunk) {
                // Only the chunk holding the file's end may be partly file; every later one is padding alone.
                #expect(fromFile + UInt64(bytes) == plainSize)
            }
            fromFile += UInt64(bytes)
        }
        #expect(fromFile == plainSize)
    }

    @Test func worksThroughTheSpecsExamples() {
        // 300 MiB: E = 28, s = 5, so Padmé rounds up to a multiple of 2^23 (8 MiB): 304 MiB, 4864 chunks, four
        // segments of 1024 chunks and one of 768.
        let plan = StreamPlan(plainSize: 300 << 20)
        #expect(plan.paddedSize == 304 << 20)
        #expect(plan.chunkCount == 4864)
        #expect(plan.segmentCount == 5)
        #expect(plan.segment(4).endChunk - plan.segment(4).firstChunk == 768)
        #expect(plan.storedSize == 29 + (304 << 20) + 17 * 4864)
        // An empty file is one chunk of 256 zero bytes: the smallest stream.
        let empty = StreamPlan(plainSize: 0)
        #expect(empty.chunkCount == 1 && empty.plainLength(ofChunk: 0) == 256 && empty.fileBytes(inChunk: 0) == 0)
        #expect(empty.storedSize == FileStreamLayout.minimumStoredSize)
    }
}

import AmanatFormat

/// Where each byte of a file's attachment stream (FORMAT.md section 13) comes from, and how the stream is cut
/// into upload segments: one PATCH each, whose start is where the encryptor's and the hasher's snapshot is taken.
///
/// A segment is a whole number of chunks (the first also carries the preamble), so its start is a chunk boundary:
/// resuming re-encrypts from the snapshot at the segment's start and skips what amanatd already holds.
struct StreamPlan: Equatable {
    /// One segment of the stream: chunks `firstChunk ..< endChunk`, stored bytes `storedStart ..< storedEnd`.
    struct Segment: Equatable {
        let index: Int
        let firstChunk: UInt64
        let endChunk: UInt64
        let storedStart: UInt64
        let storedEnd: UInt64

        var storedLength: UInt64 { storedEnd - storedStart }
    }

    /// Chunks per segment by default: 1024 × 65553 bytes, about 64 MiB, amanatd's default sync interval.
    static let defaultChunksPerSegment: UInt64 = 1024

    /// P, the file's size.
    let plainSize: UInt64
    /// T, Padmé of P: the stream's plaintext, the file then zeros.
    let paddedSize: UInt64
    /// n, the number of chunks.
    let chunkCount: UInt64
    /// S, the stream's stored size (what `Upload-Length` says).
    let storedSize: UInt64
    let chunksPerSegment: UInt64

    init(plainSize: UInt64, chunksPerSegment: UInt64 = defaultChunksPerSegment) {
        precondition(chunksPerSegment > 0)
        self.plainSize = plainSize
        paddedSize = FileStreamLayout.paddedSize(plainSize: plainSize)
        chunkCount = FileStreamLayout.chunkCount(paddedSize: paddedSize)
        storedSize = FileStreamLayout.storedSize(plainSize: plainSize)
        self.chunksPerSegment = chunksPerSegment
    }

    static var chunkBytes: UInt64 { UInt64(FileStreamLayout.chunkBytes) }
    static var sealedChunkBytes: UInt64 { chunkBytes + UInt64(FileStreamLayout.chunkOverhead) }

    var segmentCount: Int { Int((chunkCount + chunksPerSegment - 1) / chunksPerSegment) }

    /// The plaintext bytes of chunk `chunk`: 65536, the last one what is left (0 to 65536).
    func plainLength(ofChunk chunk: UInt64) -> Int {
        FileStreamLayout.plainChunkLength(index: chunk, paddedSize: paddedSize)
    }

    /// How many of chunk `chunk`'s plaintext bytes come from the file; the rest are padding zeros.
    func fileBytes(inChunk chunk: UInt64) -> Int {
        let start = chunk * Self.chunkBytes
        guard start < plainSize else { return 0 }
        return Int(min(UInt64(plainLength(ofChunk: chunk)), plainSize - start))
    }

    /// Where chunk `chunk` starts in the stored stream.
    func storedOffset(ofChunk chunk: UInt64) -> UInt64 {
        UInt64(FileStreamLayout.preambleBytes) + chunk * Self.sealedChunkBytes
    }

    func segment(_ index: Int) -> Segment {
        precondition(index >= 0 && index < segmentCount)
        let first = UInt64(index) * chunksPerSegment
        let end = min(chunkCount, first + chunksPerSegment)
        return Segment(
            index: index, firstChunk: first, endChunk: end,
            storedStart: index == 0 ? 0 : storedOffset(ofChunk: first),
            storedEnd: end == chunkCount ? storedSize : storedOffset(ofChunk: end)
        )
    }

    /// The segment holding stored offset `offset` (the last one for the end of the stream), or nil past the end.
    func segment(containing offset: UInt64) -> Segment? {
        guard offset <= storedSize else { return nil }
        if offset == storedSize { return segment(segmentCount - 1) }
        let preamble = UInt64(FileStreamLayout.preambleBytes)
        let chunk = offset < preamble ? 0 : (offset - preamble) / Self.sealedChunkBytes
        return segment(Int(chunk / chunksPerSegment))
    }
}

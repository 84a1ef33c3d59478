import AmanatCrypto
import AmanatFileSealing
import AmanatFormat
import Glibc

/// Makes one segment of a file's stream: reads the file's pieces (padding zeros after its end), hashes the file's
/// bytes, encrypts each piece, and hands the stored bytes on, skipping those amanatd already holds.
///
/// The plaintext piece is in protected memory (`SecretBytes`), wiped when the producer is done.
struct SegmentProducer {
    let plan: StreamPlan
    let segment: StreamPlan.Segment
    let file: EvidenceFile
    /// Moved on by each chunk made: a snapshot's copy when resuming.
    let encryptor: FileStreamEncryptor
    /// SHA-256 of the file's bytes so far; at the segment's end once ``run(skipping:emit:)`` has made it all.
    var hasher: SHA256
    /// The tags of the segment's chunks made so far, in this try or an earlier one.
    var tags: ChunkTags

    /// Makes the segment, and calls `emit` with its stored bytes from `skip` on; stops early when `emit` returns
    /// false (the connection broke: the state is then left midway, and the caller goes back to its snapshot).
    mutating func run(
        skipping skip: UInt64, emit: (UnsafeRawBufferPointer) -> Bool
    ) throws(EvidenceError) {
        var skip = skip
        func hand(_ bytes: UnsafeRawBufferPointer) -> Bool {
            guard skip < UInt64(bytes.count) else {
                skip -= UInt64(bytes.count)
                return true
            }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[Int(skip)...])
            skip = 0
            return emit(rest)
        }
        if segment.index == 0 {
            guard encryptor.preamble.withUnsafeBytes(hand) else { return }
        }
        let piece: SecretBytes
        do {
            piece = try SecretBytes(count: FileStreamLayout.chunkBytes)
        } catch {
            throw EvidenceError(UI.cryptoFailed)
        }
        // One buffer for every sealed chunk: ciphertext, so ordinary memory.
        var sealed = [UInt8](repeating: 0, count: FileStreamLayout.chunkBytes + FileStreamLayout.chunkOverhead)
        for chunk in segment.firstChunk..<segment.endChunk {
            let count = try seal(chunk, from: piece, into: &sealed)
            let tag = sealed[count - 16..<count]
            guard tags.record(Int(chunk - segment.firstChunk), tag) else {
                throw EvidenceError(UI.fileChanged(file.name))
            }
            guard sealed.withUnsafeBytes({ hand(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }) else { return }
        }
    }

    /// Reads, hashes and encrypts chunk `chunk` into `sealed`; returns the sealed length.
    private mutating func seal(
        _ chunk: UInt64, from piece: SecretBytes, into sealed: inout [UInt8]
    ) throws(EvidenceError) -> Int {
        let length = plan.plainLength(ofChunk: chunk)
        let fromFile = plan.fileBytes(inChunk: chunk)
        let file = self.file
        try piece.withUnsafeMutableBytes { (buffer) throws(EvidenceError) in
            let data = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<fromFile])
            try file.read(at: chunk * StreamPlan.chunkBytes, into: data)
            // The padding: zeros, which a reader checks.
            if length > fromFile { memset(buffer.baseAddress! + fromFile, 0, length - fromFile) }
        }
        piece.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<fromFile])) }
        let encryptor = self.encryptor
        let final = chunk == plan.chunkCount - 1
        let result = piece.withUnsafeBytes { buffer in
            sealed.withUnsafeMutableBytes { output in
                Result { () throws(CryptoError) in
                    try encryptor.push(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), final: final, into: output)
                }
            }
        }
        guard case .success(let count) = result else { throw EvidenceError(UI.cryptoFailed) }
        return count
    }
}

/// The authentication tags of a segment's chunks, as first made: a chunk made again after a resume must have the
/// same one, or the file changed under the upload (what amanatd holds would no longer decrypt with what follows).
struct ChunkTags {
    private var tags: [[UInt8]] = []

    /// Records the tag of the segment's chunk `index`, or compares it with the one recorded: false when it differs.
    mutating func record(_ index: Int, _ tag: ArraySlice<UInt8>) -> Bool {
        if index < tags.count { return tags[index].elementsEqual(tag) }
        precondition(index == tags.count, "chunks are made in order")
        tags.append(Array(tag))
        return true
    }
}

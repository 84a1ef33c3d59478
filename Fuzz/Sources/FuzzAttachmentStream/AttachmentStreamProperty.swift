import AmanatCrypto
import AmanatFileSealing
import AmanatFormat
import AmanatKeys

/// The TEST-ONLY key of every vector in Tests/Vectors/stream/ (derived from a public label: never for real data),
/// in protected memory afresh for each use (`SecretBytes` is not `Sendable`, so it cannot be a global).
func streamTestKey() -> SecretBytes {
    let hex = "478a8705842c0a086046a22510c7bce8c2fe616c168b5f58005ea04cd70219d2"
    guard let bytes = Hex.decode(hex), let key = try? bytes.withUnsafeBytes({ try SecretBytes(copying: $0) }) else {
        fatalError("FuzzAttachmentStream: cannot hold the test key")
    }
    return key
}

/// One input: the sealed size and SHA-256 and the stored stream.
struct StreamInput {
    var size: UInt64
    var sha256: [UInt8]
    var stream: [UInt8]

    /// Reads an input; a short one is filled with zero bytes.
    init(_ bytes: [UInt8]) {
        let head = bytes.prefix(40) + [UInt8](repeating: 0, count: max(0, 40 - bytes.count))
        size = head.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            % (1 << 20)
        sha256 = Array(head[8..<40])
        stream = Array(bytes.dropFirst(40))
    }

    init(size: UInt64, sha256: [UInt8], stream: [UInt8]) {
        self.size = size
        self.sha256 = sha256
        self.stream = stream
    }

    /// The input's bytes.
    var bytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: size >> (8 * UInt64($0))) } + sha256 + stream }
}

/// The file `input` opens to under the test key, read in `pieces` of the given sizes (repeated), or the refusal.
func readStream(_ input: StreamInput, pieces: [Int] = [Int.max]) -> Result<[UInt8], FileStreamTampering> {
    var file: [UInt8] = []
    do {
        var reader = try FileStreamReader(key: streamTestKey(), size: input.size, sha256: input.sha256)
        try input.stream.withUnsafeBytes { stream in
            var offset = 0
            var piece = 0
            while offset < stream.count {
                let end = offset + min(pieces[piece % pieces.count], stream.count - offset)
                try reader.consume(UnsafeRawBufferPointer(rebasing: stream[offset..<end])) { file += $0 }
                offset = end
                piece += 1
            }
        }
        try reader.finish()
        return .success(file)
    } catch let tampering as FileStreamTampering {
        return .failure(tampering)
    } catch {
        fatalError("FileStreamReader threw something other than FileStreamTampering: \(error)")
    }
}

/// The property FuzzAttachmentStream checks, shared with the unit test that replays its corpus (AmanatKeysTests'
/// FuzzCorpusTests links this file). Returns the first broken rule, or nil.
func attachmentStreamViolation(_ bytes: [UInt8]) -> String? {
    let input = StreamInput(bytes)
    let file: [UInt8]
    switch readStream(input) {
    case .failure(let refusal):
        let text = refusal.description
        guard text.hasPrefix("tampered: "), !text.contains(where: \.isNewline) else {
            return "a refusal that is not one \"tampered\" line: \(text)"
        }
        return nil
    case .success(let opened):
        file = opened
    }
    guard UInt64(file.count) == input.size else { return "accepted a stream giving \(file.count) bytes, not its size" }
    guard SHA256.hash(file) == input.sha256 else { return "accepted a stream whose bytes do not hash to the sealed hash" }
    guard UInt64(input.stream.count) == FileStreamLayout.storedSize(plainSize: input.size) else {
        return "accepted a stream whose length is not the stored size of its sealed size"
    }
    // However the stored bytes arrive, the same file.
    for pieces in [[1], [7, 4096, 3], [FileStreamLayout.preambleBytes, 65553]] {
        guard case .success(let again) = readStream(input, pieces: pieces), again == file else {
            return "the stream reads differently in pieces of \(pieces)"
        }
    }
    // Sealed again as amanat seals it, the file reads back.
    guard let resealed = seal(file), case .success(let again) = readStream(
        StreamInput(size: input.size, sha256: input.sha256, stream: resealed)
    ), again == file else { return "the file sealed again by FileStreamEncryptor does not read back" }
    return mutationViolation(input)
}

/// Every mutation tried of the accepted `input` must be refused.
private func mutationViolation(_ input: StreamInput) -> String? {
    let stream = input.stream
    // A flipped bit at every byte of a small stream, else at 64 places spread over it and at each chunk's edges.
    var places = Set<Int>()
    if stream.count <= 4096 {
        places.formUnion(stream.indices)
    } else {
        places.formUnion(stride(from: 0, to: stream.count, by: max(1, stream.count / 64)))
        var edge = FileStreamLayout.preambleBytes
        while edge < stream.count {
            places.formUnion([edge - 1, edge, min(edge + 1, stream.count - 1)])
            edge += FileStreamLayout.chunkBytes + FileStreamLayout.chunkOverhead
        }
        places.insert(stream.count - 1)
    }
    for place in places.sorted() {
        var mutated = input
        mutated.stream[place] ^= UInt8(1) << UInt8(place % 8)
        if case .success = readStream(mutated) { return "accepted the stream with bit \(place % 8) of byte \(place) flipped" }
    }
    var mutations: [(String, StreamInput)] = []
    for cut in Set([1, FileStreamLayout.chunkOverhead, stream.count - FileStreamLayout.preambleBytes]) where cut <= stream.count {
        var mutated = input
        mutated.stream.removeLast(cut)
        mutations.append(("cut by \(cut) bytes", mutated))
    }
    var longer = input
    longer.stream.append(0)
    mutations.append(("one byte longer", longer))
    let chunkStride = FileStreamLayout.chunkBytes + FileStreamLayout.chunkOverhead
    if stream.count >= FileStreamLayout.preambleBytes + chunkStride * 2 {
        var swapped = input
        let first = FileStreamLayout.preambleBytes
        let second = first + chunkStride
        let secondEnd = min(second + chunkStride, stream.count)
        if secondEnd - second == chunkStride {
            swapped.stream.replaceSubrange(first..<secondEnd, with: stream[second..<secondEnd] + stream[first..<second])
            mutations.append(("first two chunks swapped", swapped))
        }
        var dropped = input
        dropped.stream.removeSubrange(first..<second)
        mutations.append(("first chunk dropped", dropped))
    }
    for delta in [UInt64(1), 255] where input.size + delta < 1 << 20 {
        var bigger = input
        bigger.size += delta
        mutations.append(("sealed size \(delta) larger", bigger))
        if input.size >= delta {
            var smaller = input
            smaller.size -= delta
            mutations.append(("sealed size \(delta) smaller", smaller))
        }
    }
    var otherHash = input
    otherHash.sha256[31] ^= 1
    mutations.append(("another sealed hash", otherHash))
    for (name, mutated) in mutations {
        if case .success = readStream(mutated) { return "accepted the stream \(name)" }
    }
    return nil
}

/// `file` as amanat's uploader seals it under the test key: Padmé zero padding, 64 KiB chunks, the last final.
private func seal(_ file: [UInt8]) -> [UInt8]? {
    guard let encryptor = try? FileStreamEncryptor(key: streamTestKey()) else { return nil }
    let padded = FileStreamLayout.paddedSize(plainSize: UInt64(file.count))
    let plaintext = file + [UInt8](repeating: 0, count: Int(padded) - file.count)
    let count = Int(FileStreamLayout.chunkCount(paddedSize: padded))
    var stream = encryptor.preamble
    for index in 0..<count {
        let start = index * FileStreamLayout.chunkBytes
        let end = min(start + FileStreamLayout.chunkBytes, plaintext.count)
        let sealed = plaintext[start..<end].withUnsafeBytes { try? encryptor.push($0, final: index == count - 1) }
        guard let sealed else { return nil }
        stream += sealed
    }
    return stream
}

import Foundation

/// Runs a per-record transform on every core while the output keeps the archive's order, holding only a
/// bounded number of records in memory: the reader blocks when too many chunks are in flight.
///
/// Opening is X25519 and XChaCha20 work per record, independent between records, so it spreads across cores;
/// reading the database and writing the output stay on the calling thread, which also transforms chunks itself
/// rather than wait idle for the next one in order.
struct ParallelOpener {
    /// Worker threads; 1 transforms on the calling thread.
    var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Records handed to a worker at once: enough to make the hand-off cheap next to the crypto.
    var chunkSize = 32
    /// Chunks read but not yet emitted, per worker: keeps every worker busy while bounding memory.
    var chunksInFlightPerWorker = 3
    /// Chunks read but not yet emitted, in all.
    var maximumChunksInFlight = 32

    /// Reads records (or anything else) from `source` and calls `emit` with `transform(record)` for each, in the
    /// order `source` gave them. `transform` runs on worker threads and on the calling thread; `emit` on the
    /// calling thread. An error from `source` or `emit` stops the run: chunks no worker has taken are dropped, and
    /// the call returns once the workers have finished the ones they hold.
    func forEach<Input: Sendable, Output: Sendable>(
        _ source: ((Input) throws -> Void) throws -> Void,
        transform: @escaping @Sendable (Input) -> Output,
        emit: (Output) throws -> Void
    ) throws {
        // The emitting closures below run only during this call; withoutActuallyEscaping says so to the compiler.
        try withoutActuallyEscaping(emit) { emit in
            guard workers > 1 else {
                try source { try emit(transform($0)) }
                return
            }
            try run(source, transform: transform, emit: emit)
        }
    }

    private func run<Input: Sendable, Output: Sendable>(
        _ source: ((Input) throws -> Void) throws -> Void,
        transform: @escaping @Sendable (Input) -> Output,
        emit: @escaping (Output) throws -> Void
    ) throws {
        let queue = ChunkQueue<Input, Output>()
        let finished = DispatchGroup()
        for _ in 0..<workers {
            finished.enter()
            Thread {
                defer { finished.leave() }
                while let (index, records) = queue.take() {
                    queue.complete(index, records.map(transform))
                }
            }.start()
        }
        defer {
            queue.close()
            finished.wait()
        }
        // Capped so that memory stays bounded on machines with many cores too.
        let limit = min(workers * chunksInFlightPerWorker, maximumChunksInFlight)
        var chunk: [Input] = []
        chunk.reserveCapacity(chunkSize)
        var submitted = 0
        var emitted = 0
        // Emits finished chunks in order, waiting while more than `allowed` are in flight. Rather than wait idle
        // for the next chunk in order, this thread transforms a chunk no worker has taken yet.
        func drain(keepingInFlight allowed: Int) throws {
            while emitted < submitted {
                switch queue.next(emitted, wait: submitted - emitted > allowed) {
                case .done(let outputs):
                    emitted += 1
                    for output in outputs { try emit(output) }
                case .work(let index, let records):
                    queue.complete(index, records.map(transform))
                case .notYet:
                    return
                }
            }
        }
        try source { record in
            chunk.append(record)
            guard chunk.count == chunkSize else { return }
            queue.submit(submitted, chunk)
            submitted += 1
            chunk.removeAll(keepingCapacity: true)
            try drain(keepingInFlight: limit - 1)
        }
        if !chunk.isEmpty {
            queue.submit(submitted, chunk)
            submitted += 1
        }
        try drain(keepingInFlight: 0)
    }
}

/// Chunks waiting for a worker, and transformed chunks waiting to be emitted, under one condition variable.
private final class ChunkQueue<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [(Int, [Input])] = []
    private var pendingHead = 0
    private var done: [Int: [Output]] = [:]
    private var closed = false

    func submit(_ index: Int, _ records: [Input]) {
        condition.withLock {
            pending.append((index, records))
            condition.broadcast()
        }
    }

    /// The next chunk to transform, or nil once the queue is closed.
    func take() -> (Int, [Input])? {
        condition.withLock {
            while pendingHead == pending.count && !closed { condition.wait() }
            return takeLocked()
        }
    }

    /// The next pending chunk, if any; the lock must be held.
    private func takeLocked() -> (Int, [Input])? {
        guard pendingHead < pending.count else { return nil }
        let next = pending[pendingHead]
        // Released now, not at the next compaction: else up to 64 taken chunks of records stay in memory.
        pending[pendingHead].1 = []
        pendingHead += 1
        // Compact now and then so the array does not grow with the archive.
        if pendingHead >= 64 && pendingHead * 2 >= pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        return next
    }

    func complete(_ index: Int, _ outputs: [Output]) {
        condition.withLock {
            done[index] = outputs
            condition.broadcast()
        }
    }

    /// What the emitting thread does next for chunk `index`.
    enum Next {
        /// The chunk's outputs, to emit.
        case done([Output])
        /// A chunk no worker has taken, for the emitting thread to transform meanwhile.
        case work(Int, [Input])
        /// Not done, and `wait` was false.
        case notYet
    }

    /// The outputs of chunk `index` once done, or else a chunk to transform while it is not; with `wait` false,
    /// `.notYet` instead of waiting.
    func next(_ index: Int, wait: Bool) -> Next {
        condition.withLock {
            while true {
                if let outputs = done.removeValue(forKey: index) { return .done(outputs) }
                guard wait else { return .notYet }
                if let chunk = takeLocked() { return .work(chunk.0, chunk.1) }
                condition.wait()
            }
        }
    }

    /// Ends the run: chunks no worker has taken are dropped (after an error nothing more is emitted, so opening
    /// them would only leave more plaintext in memory), and idle workers return.
    func close() {
        condition.withLock {
            closed = true
            pending.removeAll()
            pendingHead = 0
            condition.broadcast()
        }
    }
}

extension Tally {
    /// Adds the counts of `other`, a tally kept by a worker.
    mutating func add(_ other: Tally) {
        opened += other.opened
        unopened += other.unopened
        tampered += other.tampered
        withdrawn += other.withdrawn
        attachments += other.attachments
        addenda += other.addenda
        attachmentsWritten += other.attachmentsWritten
    }
}

/// Hands a value that workers only read to other threads. The key ring is not Sendable because its keys
/// own protected memory, but opening a box only reads them.
final class ReadOnly<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}

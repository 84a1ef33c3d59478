@testable import amanat_keyholder
import Synchronization
import Testing

/// `open` must hold a bounded number of records whatever the archive's size (issue #7: 100,000 records in
/// under 128 MiB). Each record read is a `Tracked` here, counted while it is alive.
@Suite("key holder: records held while opening") struct ParallelOpenerMemoryTests {
    static let live = Atomic<Int>(0)

    final class Tracked: Sendable {
        let value: Int

        init(_ value: Int) {
            self.value = value
            ParallelOpenerMemoryTests.live.add(1, ordering: .relaxed)
        }

        deinit {
            ParallelOpenerMemoryTests.live.subtract(1, ordering: .relaxed)
        }
    }

    @Test("records read but not yet written stay within the in-flight limit, not the archive's size")
    func boundedRecordsInFlight() throws {
        let opener = ParallelOpener(workers: 2, chunkSize: 32, chunksInFlightPerWorker: 3, maximumChunksInFlight: 32)
        let records = 20_000
        var emitted: [Int] = []
        var mostAlive = 0
        try opener.forEach({ body in
            for index in 0..<records { try body(Tracked(index)) }
        }, transform: { record in
            record.value
        }, emit: { value in
            emitted.append(value)
            mostAlive = max(mostAlive, Self.live.load(ordering: .relaxed))
        })
        #expect(emitted == Array(0..<records))
        // 6 chunks in flight and the one being filled; a worker and the emitting thread may each still hold the
        // chunk they have just transformed. Taken chunks kept until a later compaction would be 64 chunks more.
        let bound = (6 + 1 + 3) * 32
        #expect(mostAlive <= bound, "at most \(bound) records alive at once, saw \(mostAlive)")
        #expect(mostAlive > 0)
        #expect(Self.live.load(ordering: .relaxed) == 0, "every record released at the end")
    }
}

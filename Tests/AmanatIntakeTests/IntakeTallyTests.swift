import AmanatIntake
import Testing

@Suite("Intake tally") struct IntakeTallyTests {
    /// 2026-11-10T12:00:00Z.
    static let noon: Int = 1_794_312_000
    static let day = 86_400

    static func period(_ stamp: String) -> IntakeTally.Period {
        IntakeTally.Period(precision: .day, stamp: stamp)
    }

    @Test func aDayIsHandedOutOnceOverAndOnlyIfTheProcessSawAllOfIt() {
        #expect(ReceivedPrecision.day.stamp(secondsSinceEpoch: Self.noon) == "2026-11-10")
        let tally = IntakeTally(startedAt: Self.noon)
        tally.add(.stored, in: Self.period("2026-11-10"))  // the start day: only partly seen
        tally.add(.stored, 2, in: Self.period("2026-11-11"))
        tally.add(.withdrawn, in: Self.period("2026-11-11"))
        #expect(tally.takeEnded(now: Self.noon + Self.day).isEmpty, "11 November is not over; the 10th is dropped")
        tally.add(.stored, in: Self.period("2026-11-12"))
        let ended = tally.takeEnded(now: Self.noon + 2 * Self.day)
        #expect(ended.map(\.period.stamp) == ["2026-11-11"])
        #expect(ended.first?.counts[.stored] == 2 && ended.first?.counts[.withdrawn] == 1)
        #expect(ended.first?.counts[.rateLimited] == 0, "every count is given, zeros too")
        #expect(tally.takeEnded(now: Self.noon + 2 * Self.day).isEmpty, "handed out once")
        #expect(tally.takeEnded(now: Self.noon + 3 * Self.day).map(\.period.stamp) == ["2026-11-12"])
    }
}

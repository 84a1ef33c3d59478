import Glibc
import Synchronization

/// What the intake did, counted per received period (the `received_precision` setting) and handed out once the
/// period is over, for one log line per period.
///
/// A line per testimony, withdrawal or rewrap would date each record to the microsecond: journald stamps every
/// line, and records keep their arrival order (`seq`), so the k-th line is the k-th record. A count logged after
/// its period has ended says only how many records fall in that period, which their `received` values say already.
/// A period this process did not see from its start is never handed out: its count would tell how many of its
/// records came after the start (journald logs the start), which no `received` value says.
public final class IntakeTally: Sendable {
    /// What is counted.
    public enum Event: String, Sendable, CaseIterable {
        /// A testimony stored.
        case stored = "testimonies.stored"
        /// A testimony withdrawn.
        case withdrawn = "withdrawals"
        /// A withdrawal refused (wrong token, unknown or withdrawn record).
        case withdrawalRefused = "withdrawals.refused"
        /// Attachments added to stored records (not those sent with their testimony).
        case attached = "attachments.added"
        /// Addenda stored.
        case addendumStored = "addenda.stored"
        /// A request to add evidence refused for its token (wrong token, unknown or withdrawn record).
        case tokenRefused = "evidence.refused"
        /// A submission refused by the per-user rate limit.
        case rateLimited = "submissions.rate_limited"
        /// A record whose envelopes a rewrap import replaced.
        case rewrapped = "rewraps.records"
        /// An export made.
        case exported = "exports"
    }

    /// One received period: its precision and its stamp (`2026-11-29` for a day).
    public struct Period: Hashable, Sendable {
        /// The precision the stamp was made at.
        public var precision: ReceivedPrecision
        /// The period's `received` value.
        public var stamp: String

        /// The period stamped `stamp` at `precision`.
        public init(precision: ReceivedPrecision, stamp: String) {
            self.precision = precision
            self.stamp = stamp
        }
    }

    /// The counts of one period that has ended.
    public struct Ended: Sendable {
        /// The period.
        public var period: Period
        /// How many of each event; zero for those that did not happen.
        public var counts: [Event: Int]
    }

    private let startedAt: Int
    private let counts = Mutex<[Period: [Event: Int]]>([:])

    /// A tally for a process started `startedAt` seconds after the epoch (nil: now).
    public init(startedAt: Int? = nil) {
        self.startedAt = startedAt ?? Int(time(nil))
    }

    /// Counts `count` events of `event` in `period`.
    public func add(_ event: Event, _ count: Int = 1, in period: Period) {
        counts.withLock { $0[period, default: [:]][event, default: 0] += count }
    }

    /// Removes and returns the periods over at `now` (seconds after the epoch; nil: now), in stamp order. Periods
    /// that began before this process started are removed without being returned.
    public func takeEnded(now: Int? = nil) -> [Ended] {
        let now = now ?? Int(time(nil))
        let ended = counts.withLock { counts -> [Period: [Event: Int]] in
            let over = counts.filter { $0.key.precision.stamp(secondsSinceEpoch: now) != $0.key.stamp }
            for period in over.keys { counts[period] = nil }
            return over
        }
        return ended
            .filter { $0.key.precision.stamp(secondsSinceEpoch: startedAt) != $0.key.stamp }
            .map { period, counts in
                Ended(period: period, counts: Dictionary(uniqueKeysWithValues: Event.allCases.map { ($0, counts[$0] ?? 0) }))
            }
            .sorted { $0.period.stamp < $1.period.stamp }
    }
}

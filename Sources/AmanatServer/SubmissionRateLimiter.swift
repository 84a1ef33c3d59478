import Glibc
import Synchronization

/// A token bucket per peer uid: `perMinute` submissions a minute, with bursts up to the same number.
///
/// Keyed by uid rather than connection, so a client cannot escape it by reconnecting. Buckets that have
/// refilled completely are dropped, so the table stays as small as the set of recently active users.
final class SubmissionRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let perMinute: Double
    private let buckets = Mutex<[UInt32: Bucket]>([:])

    init(perMinute: Int) {
        self.perMinute = Double(perMinute)
    }

    /// Takes one token for `uid`; false when the bucket is empty.
    func admit(uid: UInt32, now: Double = SubmissionRateLimiter.monotonicSeconds()) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[uid] ?? Bucket(tokens: perMinute, updated: now)
            bucket.tokens = min(perMinute, bucket.tokens + (now - bucket.updated) * perMinute / 60)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[uid] = bucket
                return false
            }
            bucket.tokens -= 1
            buckets[uid] = bucket
            if buckets.count > 10_000 {
                buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * perMinute / 60 < perMinute }
            }
            return true
        }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

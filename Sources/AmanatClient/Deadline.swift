import Glibc

/// A point in time after which the exchange is abandoned, or none when timeouts are disabled.
struct Deadline {
    let seconds: Int
    private let expiry: ContinuousClock.Instant?

    init(seconds: Int) {
        self.seconds = seconds
        expiry = seconds > 0 ? ContinuousClock.now.advanced(by: .seconds(seconds)) : nil
    }

    /// The time left, or nil when there is no deadline; throws once it has passed.
    func remaining() throws(ClientError) -> Duration? {
        guard let expiry else {
            return nil
        }
        let left = ContinuousClock.now.duration(to: expiry)
        guard left > .zero else {
            throw ClientError(.timedOut(seconds: seconds))
        }
        return left
    }

    /// The absolute CLOCK_MONOTONIC time for `pthread_cond_timedwait`, or nil when there is no deadline.
    func monotonicExpiry() throws(ClientError) -> timespec? {
        guard let left = try remaining() else {
            return nil
        }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (wholeSeconds, attoseconds) = left.components
        var nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000) + 1
        var seconds = Int(now.tv_sec) + Int(wholeSeconds)
        seconds += nanoseconds / 1_000_000_000
        nanoseconds %= 1_000_000_000
        return timespec(tv_sec: seconds, tv_nsec: nanoseconds)
    }
}

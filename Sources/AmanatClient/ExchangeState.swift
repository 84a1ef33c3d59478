import Glibc
import NIOCore
import NIOHTTP1

/// What the event loop has learned about one exchange, handed to the caller's thread under a lock: the answer's
/// head and body pieces, the writes still in flight, and how the connection ended.
///
/// The caller blocks on the condition variable (CLOCK_MONOTONIC, so a clock change cannot stretch a timeout)
/// until the loop signals what it waits for, or its deadline passes.
final class ExchangeState: @unchecked Sendable {
    struct Fields {
        /// The request in progress: its method (a HEAD answer has no body) and whether a 200 body streams to a sink
        /// (and so may exceed the body limit). Set by the caller before it sends the head.
        var method = "GET"
        var streaming = false
        /// The final (non-1xx) response head, once decoded and accepted.
        var head: HTTPResponseHead?
        /// Body pieces not yet taken by the caller, and their total size.
        var pieces: [ByteBuffer] = []
        var queuedBytes = 0
        /// The response's `.end` arrived.
        var ended = false
        /// Why the answer cannot be complete: the connection closed or failed, or the answer was refused.
        var failure: ClientError?
        /// The loop stopped reading because the caller had not taken `highWater` bytes yet.
        var readingPaused = false
        /// Request writes handed to the channel whose futures have not completed yet.
        var writesInFlight = 0
        /// The first write that failed.
        var writeFailure: ClientError?
    }

    /// Reading pauses when this much body is waiting for the caller, so a slow sink bounds memory, not the network.
    static let highWater = 1024 * 1024

    private var fields = Fields()
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Changes the fields (on the event loop) and wakes the waiting caller.
    func update<T>(_ change: (inout Fields) -> T) -> T {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return change(&fields)
    }

    /// Waits until `ready` holds, then applies `take` under the same lock; throws `timedOut` once `deadline` passes.
    func wait<T>(
        until ready: (Fields) -> Bool, deadline: Deadline, take: (inout Fields) -> T
    ) throws(ClientError) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard let expiry = try deadline.monotonicExpiry() else {
            while !ready(fields) { pthread_cond_wait(condition, mutex) }
            return take(&fields)
        }
        var end = expiry
        while !ready(fields) {
            if pthread_cond_timedwait(condition, mutex, &end) == ETIMEDOUT, !ready(fields) {
                throw ClientError(.timedOut(seconds: deadline.seconds))
            }
        }
        return take(&fields)
    }
}

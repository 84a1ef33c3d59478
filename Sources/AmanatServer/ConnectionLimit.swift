import Synchronization

/// How many connections are open, against `limits.max_connections`. Graceful shutdown is not kept here: NIO's
/// `ServerQuiescingHelper` stops accepting and tells every connection to quiesce, and NIO's HTTP pipeline handler
/// closes an idle connection at once and a busy one after its answer.
final class ConnectionLimit: Sendable {
    private let open = Mutex(0)
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection in; false, counting nothing, when the limit is reached.
    func admit() -> Bool {
        open.withLock { open in
            guard open < limit else { return false }
            open += 1
            return true
        }
    }

    /// Counts an admitted connection out.
    func release() {
        open.withLock { $0 -= 1 }
    }
}

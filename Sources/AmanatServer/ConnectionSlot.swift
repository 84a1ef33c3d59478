import NIOCore
import Synchronization

/// One open connection as `PeerShares` sees it: whether it is idle (waiting for a request, so it can be closed
/// without losing anything), and how to close it.
final class ConnectionSlot: Sendable {
    private let channel: any Channel
    private let idle = Atomic(true)

    init(_ channel: any Channel) {
        self.channel = channel
    }

    /// True between requests and before the first: nothing of a request has arrived and no answer is owed.
    var isIdle: Bool { idle.load(ordering: .relaxed) }

    /// Set by the connection's deadlines on its event loop as it changes phase.
    func setIdle(_ value: Bool) {
        idle.store(value, ordering: .relaxed)
    }

    /// Closes the connection, as its idle timeout would have: the peer sees end-of-file and no answer.
    func close() {
        channel.close(mode: .all, promise: nil)
    }
}

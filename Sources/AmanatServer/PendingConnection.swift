import NIOCore
import NIOHTTP1
import Synchronization

/// An accepted connection on its way from the listening socket to a handler task.
///
/// NIO buffers accepted connections between the listening channel and the accept loop. If the loop stops
/// while some are buffered (shutdown), those connections are released without being served, and a
/// released `NIOAsyncChannel` whose writer was never finished traps the process
/// (apple/swift-nio#2637). This wrapper finishes and closes an unserved connection when it is released.
final class PendingConnection: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let connection: Mutex<Connection?>
    /// The connection's place in `PeerShares`, whose idle flag its deadlines keep.
    let slot: ConnectionSlot

    init(_ connection: Connection, slot: ConnectionSlot) {
        self.connection = Mutex(connection)
        self.slot = slot
    }

    /// The connection, once: after this the taker must serve it through `executeThenClose`.
    func take() -> Connection? {
        connection.withLock { stored in
            defer { stored = nil }
            return stored
        }
    }

    deinit {
        if let unserved = connection.withLock({ $0 }) {
            // executeThenClose finishes the writer and closes the channel; the client sees the close
            // before any answer, so it knows nothing was acknowledged.
            Task { try? await unserved.executeThenClose { _, _ in } }
        }
    }
}

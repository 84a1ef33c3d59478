import NIOCore
import Synchronization

/// The open connections, for the connection limit and for graceful shutdown.
///
/// At shutdown an idle connection is closed at once (an idle client must not block SIGTERM), while a
/// connection in the middle of a request is only flagged: it finishes, answers, then closes, so that a
/// submission in flight is stored and acknowledged.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        var channel: any Channel
        var busy: Bool
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var shuttingDown = false
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    enum Admission { case admitted, overLimit, shuttingDown }

    func register(_ channel: any Channel) -> Admission {
        state.withLock { state in
            if state.shuttingDown { return .shuttingDown }
            if state.entries.count >= limit { return .overLimit }
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel, busy: false)
            return .admitted
        }
    }

    func unregister(_ channel: any Channel) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Marks a request as started. False when shutdown has begun and the request must not start.
    func beginRequest(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.shuttingDown else { return false }
            state.entries[ObjectIdentifier(channel)]?.busy = true
            return true
        }
    }

    /// Marks a request as answered. False when the connection should now close.
    func endRequest(_ channel: any Channel) -> Bool {
        state.withLock { state in
            state.entries[ObjectIdentifier(channel)]?.busy = false
            return !state.shuttingDown
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Closes idle connections and stops admitting new ones or new requests.
    func shutDown() {
        let idle = state.withLock { state -> [any Channel] in
            state.shuttingDown = true
            return state.entries.values.filter { !$0.busy }.map(\.channel)
        }
        for channel in idle { channel.close(promise: nil) }
    }
}

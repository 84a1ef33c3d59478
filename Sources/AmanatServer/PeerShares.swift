import Synchronization

/// What each peer uid holds of the daemon, against the limits of PROTOCOL.md section 5: open connections, in all
/// and per uid, and requests in flight per uid (each holds a body buffer from its head to its answer), of which
/// at most one with a large body (an admin upload, which may be hundreds of MiB) and at most eight appends to
/// evidence uploads (each streams to its file through a 1 MiB buffer, and holds a file and fsyncs).
///
/// A new connection over a limit first takes the place of an idle one: its own uid's oldest idle connection when
/// the uid is at its share, otherwise the oldest idle connection of the uid holding the most. Only when every
/// connection it could replace is in the middle of a request (and so under a request or answer deadline) is it
/// refused. Hundreds of idle or half-open connections therefore never keep a new request from being answered.
final class PeerShares: Sendable {
    /// The limits, from `Limits`.
    struct Caps: Sendable {
        var connections: Int
        var connectionsPerPeer: Int
        var requestsPerPeer: Int
    }

    /// What a request holds while in flight.
    enum RequestKind: Sendable, Equatable {
        /// A body up to `max_body_bytes`.
        case ordinary
        /// A body up to `max_admin_body_bytes`, held whole.
        case large
        /// An upload's append: streamed, up to `max_file_bytes`.
        case upload
    }

    enum Admission: Equatable {
        case admitted
        case refused
    }

    private struct Peer {
        /// Open connections in the order they were admitted.
        var slots: [ConnectionSlot] = []
        var requests = 0
        var largeRequests = 0
        var uploadRequests = 0
    }

    private struct State {
        var peers: [UInt32: Peer] = [:]
        var open = 0
    }

    /// The uid connections of unknown peers are counted under; they get no role, so they are answered 403 and
    /// closed at their first request.
    static let unknownPeer = UInt32.max

    private let caps: Caps
    private let state = Mutex(State())

    init(_ caps: Caps) {
        self.caps = caps
    }

    /// Counts `slot` in under `uid`, closing an idle connection to make room if needed; refused counts nothing.
    func admit(_ slot: ConnectionSlot, uid: UInt32) -> Admission {
        let (admission, evicted) = state.withLock { state -> (Admission, ConnectionSlot?) in
            var evicted: ConnectionSlot?
            if state.peers[uid, default: Peer()].slots.count >= caps.connectionsPerPeer {
                guard let own = Self.removeOldestIdle(of: uid, in: &state) else { return (.refused, nil) }
                evicted = own
            } else if state.open >= caps.connections {
                guard let other = Self.removeOldestIdleOfLargest(in: &state) else { return (.refused, nil) }
                evicted = other
            }
            state.peers[uid, default: Peer()].slots.append(slot)
            state.open += 1
            return (.admitted, evicted)
        }
        evicted?.close()
        return admission
    }

    /// Counts an admitted connection out.
    func release(_ slot: ConnectionSlot, uid: UInt32) {
        state.withLock { state in
            guard let index = state.peers[uid]?.slots.firstIndex(where: { $0 === slot }) else { return }
            state.peers[uid]?.slots.remove(at: index)
            state.open -= 1
            Self.forgetIfEmpty(uid, in: &state)
        }
    }

    /// Counts a request of `kind` in flight for `uid`; false, counting nothing, when the uid holds its share.
    func beginRequest(uid: UInt32, kind: RequestKind) -> Bool {
        state.withLock { state in
            let peer = state.peers[uid, default: Peer()]
            guard peer.requests < caps.requestsPerPeer else { return false }
            switch kind {
            case .ordinary: break
            case .large:
                guard peer.largeRequests < Self.largeRequestsPerPeer else { return false }
                state.peers[uid, default: Peer()].largeRequests += 1
            case .upload:
                guard peer.uploadRequests < Self.uploadRequestsPerPeer else { return false }
                state.peers[uid, default: Peer()].uploadRequests += 1
            }
            state.peers[uid, default: Peer()].requests += 1
            return true
        }
    }

    /// Counts a request counted by `beginRequest` out.
    func endRequest(uid: UInt32, kind: RequestKind) {
        state.withLock { state in
            state.peers[uid]?.requests -= 1
            switch kind {
            case .ordinary: break
            case .large: state.peers[uid]?.largeRequests -= 1
            case .upload: state.peers[uid]?.uploadRequests -= 1
            }
            Self.forgetIfEmpty(uid, in: &state)
        }
    }

    /// Requests with a large body one uid may have in flight at once.
    static let largeRequestsPerPeer = 1
    /// Appends to uploads one uid may have in flight at once: a volunteer sends one file at a time, but an office
    /// whose volunteers share one account sends several, and issue 15 measures eight at once (each holds a 1 MiB
    /// buffer: 8 MiB for the uid).
    static let uploadRequestsPerPeer = 8

    /// Open connections: in all, and of `uid`.
    func openConnections(uid: UInt32) -> (all: Int, peer: Int) {
        state.withLock { ($0.open, $0.peers[uid]?.slots.count ?? 0) }
    }

    private static func removeOldestIdle(of uid: UInt32, in state: inout State) -> ConnectionSlot? {
        guard let index = state.peers[uid]?.slots.firstIndex(where: \.isIdle) else { return nil }
        state.open -= 1
        return state.peers[uid]?.slots.remove(at: index)
    }

    private static func removeOldestIdleOfLargest(in state: inout State) -> ConnectionSlot? {
        let holders = state.peers.filter { $0.value.slots.contains(where: \.isIdle) }
        guard let largest = holders.max(by: { $0.value.slots.count < $1.value.slots.count })?.key else { return nil }
        return removeOldestIdle(of: largest, in: &state)
    }

    private static func forgetIfEmpty(_ uid: UInt32, in state: inout State) {
        if let peer = state.peers[uid], peer.slots.isEmpty, peer.requests == 0 { state.peers[uid] = nil }
    }
}

@testable import AmanatServer
import NIOCore
import NIOEmbedded
import Testing

/// Which connection gives way to a new one, and when a new one is refused (PROTOCOL.md section 5).
@Suite("peer shares")
struct PeerSharesTests {
    /// A slot on a channel of its own, so that a test can see whether the shares closed it.
    final class Held {
        let channel = EmbeddedChannel()
        let slot: ConnectionSlot

        init(idle: Bool) throws {
            try channel.connect(to: SocketAddress(unixDomainSocketPath: "/peer")).wait()
            slot = ConnectionSlot(channel)
            slot.setIdle(idle)
        }

        var isOpen: Bool { channel.isActive }
    }

    @Test("a uid at its share gives up its oldest idle connection, never a busy one or another uid's")
    func ownOldestIdleGivesWay() throws {
        let shares = PeerShares(.init(connections: 100, connectionsPerPeer: 3, requestsPerPeer: 10))
        let busy = try Held(idle: false)
        let oldIdle = try Held(idle: true)
        let newIdle = try Held(idle: true)
        let other = try Held(idle: true)
        for held in [busy, oldIdle, newIdle] { #expect(shares.admit(held.slot, uid: 1) == .admitted) }
        #expect(shares.admit(other.slot, uid: 2) == .admitted)
        let arriving = try Held(idle: true)
        #expect(shares.admit(arriving.slot, uid: 1) == .admitted)
        #expect(!oldIdle.isOpen)
        #expect(busy.isOpen && newIdle.isOpen && other.isOpen)
        #expect(shares.openConnections(uid: 1) == (all: 4, peer: 3))
    }

    @Test("a uid whose connections are all busy is refused, and nothing is counted or closed")
    func allBusyRefused() throws {
        let shares = PeerShares(.init(connections: 100, connectionsPerPeer: 2, requestsPerPeer: 10))
        let held = try (0..<2).map { _ in try Held(idle: false) }
        for one in held { #expect(shares.admit(one.slot, uid: 7) == .admitted) }
        let arriving = try Held(idle: true)
        #expect(shares.admit(arriving.slot, uid: 7) == .refused)
        #expect(held.filter(\.isOpen).count == 2)
        #expect(shares.openConnections(uid: 7) == (all: 2, peer: 2))
    }

    @Test("over the total, the uid holding the most gives up its oldest idle connection")
    func largestHolderGivesWay() throws {
        let shares = PeerShares(.init(connections: 4, connectionsPerPeer: 4, requestsPerPeer: 10))
        let small = try Held(idle: true)
        let large = try (0..<3).map { _ in try Held(idle: true) }
        #expect(shares.admit(small.slot, uid: 1) == .admitted)
        for one in large { #expect(shares.admit(one.slot, uid: 2) == .admitted) }
        let arriving = try Held(idle: false)
        #expect(shares.admit(arriving.slot, uid: 3) == .admitted)
        #expect(!large[0].isOpen)
        #expect(small.isOpen && large[1].isOpen && large[2].isOpen)
        #expect(shares.openConnections(uid: 3) == (all: 4, peer: 1))
        // A connection already given up is not counted out a second time when its task ends.
        shares.release(large[0].slot, uid: 2)
        #expect(shares.openConnections(uid: 2) == (all: 4, peer: 2))
    }

    @Test("requests in flight are counted per uid, with one admin-sized body at a time")
    func requestsInFlight() {
        let shares = PeerShares(.init(connections: 10, connectionsPerPeer: 10, requestsPerPeer: 2))
        #expect(shares.beginRequest(uid: 5, kind: .large))
        #expect(!shares.beginRequest(uid: 5, kind: .large))
        #expect(shares.beginRequest(uid: 5, kind: .ordinary))
        #expect(!shares.beginRequest(uid: 5, kind: .ordinary))
        #expect(shares.beginRequest(uid: 6, kind: .ordinary), "another uid has its own share")
        shares.endRequest(uid: 5, kind: .large)
        #expect(shares.beginRequest(uid: 5, kind: .large))
    }

    @Test("appends to uploads are not admin-sized bodies, and a uid has at most four in flight")
    func uploadsInFlight() {
        let shares = PeerShares(.init(connections: 10, connectionsPerPeer: 10, requestsPerPeer: 10))
        #expect(shares.beginRequest(uid: 5, kind: .large), "an upload leaves the admin body's place free")
        for _ in 0..<PeerShares.uploadRequestsPerPeer { #expect(shares.beginRequest(uid: 5, kind: .upload)) }
        #expect(PeerShares.uploadRequestsPerPeer == 8)
        #expect(!shares.beginRequest(uid: 5, kind: .upload))
        #expect(shares.beginRequest(uid: 5, kind: .ordinary))
        #expect(shares.beginRequest(uid: 6, kind: .upload), "another uid has its own share")
        shares.endRequest(uid: 5, kind: .upload)
        #expect(shares.beginRequest(uid: 5, kind: .upload))
    }
}

/// Who is asking, as an authenticator established it: the only thing the intake core knows of a caller.
public struct Principal: Sendable, Equatable {
    /// What a principal may do.
    public enum Role: Int, Sendable, Comparable {
        /// Nothing: refused.
        case none = 0
        /// Read forms, submit, withdraw.
        case submitter
        /// Also rewrap and export.
        case admin

        public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The account on the intake host, used for per-user shares (the rate limit); nil when unknown.
    public var uid: UInt32?
    /// What it may do.
    public var role: Role

    /// A principal.
    public init(uid: UInt32?, role: Role) {
        self.uid = uid
        self.role = role
    }
}

/// The credentials a transport can vouch for: the peer's uid and gid (SO_PEERCRED on the Unix socket; an SSH
/// link ends in `amanat dial-stdio` on the same socket, so it arrives as the volunteer's own uid).
public struct PeerIdentity: Sendable, Equatable {
    /// The peer's uid.
    public var uid: UInt32
    /// The peer's groups, its primary gid included, looked up once when it connected.
    public var groups: Set<UInt32>

    /// An identity.
    public init(uid: UInt32, groups: Set<UInt32>) {
        self.uid = uid
        self.groups = groups
    }
}

/// Port: turns what a transport knows of its peer into a principal. amanatd's is the group policy of its
/// config (``AmanatServer/GroupAuthenticator``); another transport brings its own.
public protocol Authenticator: Sendable {
    /// The principal for `peer` under the policy in force now (nil: the transport could not tell who it is).
    func principal(for peer: PeerIdentity?) -> Principal
}

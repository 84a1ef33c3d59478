public import AmanatIntake

/// amanatd's authenticator: a peer's uid and groups against the access groups in force now, so that a reload
/// that removes a group takes effect on open connections too.
public struct GroupAuthenticator: Authenticator {
    let state: ServiceState

    /// An authenticator reading the access policy from `state`.
    public init(state: ServiceState) {
        self.state = state
    }

    public func principal(for peer: PeerIdentity?) -> Principal {
        guard let peer else { return Principal(uid: nil, role: .none) }
        return Principal(uid: peer.uid, role: state.snapshot.configuration.access.role(uid: peer.uid, gids: peer.groups))
    }
}

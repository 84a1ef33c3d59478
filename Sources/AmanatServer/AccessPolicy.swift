public import AmanatIntake
import Glibc

/// Who may use the socket, decided from each connection's peer credentials (SO_PEERCRED).
///
/// Socket permissions are the first gate; this is the second, so that a socket left too open, or a
/// socket handed over by systemd, still admits only the configured groups.
public struct AccessPolicy: Sendable, Equatable {
    /// A configured group: its name (for display) and id.
    public struct Group: Sendable, Equatable, CustomStringConvertible {
        /// The group's name.
        public let name: String
        /// The group's id.
        public let gid: UInt32

        public var description: String { "\(name)(\(gid))" }
    }

    /// What a peer may do: the intake core's roles.
    public typealias Role = Principal.Role

    /// Members may read forms and submit.
    public var submitterGroups: [Group]
    /// Members may also use admin endpoints.
    public var adminGroups: [Group]

    /// A policy over resolved groups.
    public init(submitterGroups: [Group], adminGroups: [Group]) {
        self.submitterGroups = submitterGroups
        self.adminGroups = adminGroups
    }

    /// The role of a peer with `uid` and the groups `gids`. The daemon's own uid is always an admin: a
    /// process running as that uid could read the daemon's memory anyway. Root gets nothing more.
    public func role(uid: UInt32, gids: Set<UInt32>, daemonUID: UInt32? = nil) -> Role {
        if uid == (daemonUID ?? getuid()) { return .admin }
        if adminGroups.contains(where: { gids.contains($0.gid) }) { return .admin }
        if submitterGroups.contains(where: { gids.contains($0.gid) }) { return .submitter }
        return .none
    }

    /// Resolves group names (or numeric ids) through the group database; an unknown group is an error.
    static func resolve(_ names: [String], key: String) throws(ConfigError) -> [Group] {
        var groups: [Group] = []
        for name in names {
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            var buffer = [CChar](repeating: 0, count: 16_384)
            let rc: Int32
            if let numeric = gid_t(name) {
                rc = getgrgid_r(numeric, &entry, &buffer, buffer.count, &result)
            } else {
                rc = getgrnam_r(name, &entry, &buffer, buffer.count, &result)
            }
            guard rc == 0, result != nil else { throw ConfigError("\(key): no such group \"\(name)\"") }
            let resolved = Group(name: String(cString: entry.gr_name), gid: entry.gr_gid)
            if !groups.contains(resolved) { groups.append(resolved) }
        }
        return groups
    }

    /// The groups of `uid`: its primary group `gid` and its supplementary groups from the group database.
    public static func groups(uid: UInt32, gid: UInt32) -> Set<UInt32> {
        var gids: Set<UInt32> = [gid]
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return gids }
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(entry.pw_name, gid, &list, &count) < 0 {
            list = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(entry.pw_name, gid, &list, &count) >= 0 else { return gids }
        }
        gids.formUnion(list.prefix(Int(count)))
        return gids
    }
}

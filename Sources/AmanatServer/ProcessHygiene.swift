import CAmanatLinux
import Foundation
import Glibc

/// What amanatd does to itself at start, before it touches a testimony.
public enum ProcessHygiene {
    /// No core dumps and no ptrace by other processes of the same user (`PR_SET_DUMPABLE` 0,
    /// `RLIMIT_CORE` 0): a core file would hold testimonies in plaintext. Files are private (umask 077).
    public static func harden() throws(ConfigError) {
        umask(0o077)
        guard amanat_set_dumpable(0) == 0, amanat_get_dumpable() == 0 else {
            throw ConfigError("cannot disable core dumps (prctl PR_SET_DUMPABLE)")
        }
        var limit = rlimit()
        // Under systemd (LimitCORE=0) the limit is already 0, and the seccomp filter may refuse setrlimit.
        if getrlimit(Int32(RLIMIT_CORE.rawValue), &limit) == 0, limit.rlim_cur == 0, limit.rlim_max == 0 { return }
        limit.rlim_cur = 0
        limit.rlim_max = 0
        guard setrlimit(Int32(RLIMIT_CORE.rawValue), &limit) == 0 else {
            throw ConfigError("cannot set RLIMIT_CORE to 0")
        }
    }

    /// Raises the soft limit on open files to the hard limit, so that max_connections, not a default of
    /// 1024 descriptors, decides how many clients are served. Failure (a seccomp filter) is harmless.
    public static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// The soft limit on open files, once `raiseFileLimit` has run.
    public static var fileLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return Int(clamping: limit.rlim_cur)
    }

    /// Descriptors amanatd needs besides its connections: the database, its WAL and shm, the listening socket,
    /// the event loop's, a response file, and room for journald and the notify socket.
    public static let descriptorsBesidesConnections = 64

    /// True when core dumps and ptrace are disabled for this process.
    public static var isHardened: Bool {
        var limit = rlimit()
        return amanat_get_dumpable() == 0 && getrlimit(Int32(RLIMIT_CORE.rawValue), &limit) == 0
            && limit.rlim_cur == 0
    }

    /// Refuses root unless allowed: a bug in a root daemon is a root compromise.
    public static func checkUser(allowRoot: Bool) throws(ConfigError) {
        if geteuid() == 0 && !allowRoot {
            throw ConfigError(
                "refusing to run as root; run as the amanat user, or set allow_root = true (--allow-root)"
            )
        }
    }

    /// Refuses a database, or a directory holding it, that other users can write: they could replace
    /// the file with one of their own, or delete what was acknowledged.
    public static func checkPrivate(databasePath path: String) throws(ConfigError) {
        let directory = (path as NSString).deletingLastPathComponent
        for (target, what) in [(directory.isEmpty ? "." : directory, "the database directory"), (path, "the database")] {
            var info = stat()
            guard stat(target, &info) == 0 else { continue }  // a missing file is created with umask 077
            if info.st_mode & 0o022 != 0 {
                throw ConfigError("\(what) \(target) is writable by other users; run: chmod go-w \(target)")
            }
            if info.st_uid != geteuid() && info.st_uid != 0 {
                throw ConfigError("\(what) \(target) belongs to another user (uid \(info.st_uid))")
            }
        }
    }
}

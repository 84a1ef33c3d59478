import Glibc

/// Where `amanat --host ssh://[user@]host[:port]` reaches amanatd: through the system's `ssh`, with the user's own
/// config and keys, running `amanat dial-stdio` on the intake host, which relays to the local socket (Docker's
/// `DOCKER_HOST=ssh://…` convention). The HTTP exchange is the same as over the local socket.
public struct SSHDestination: Sendable, Equatable {
    /// The login name, or nil for ssh's own choice (the config's `User`, else the local name).
    public var user: String?
    /// The host name or address, as ssh takes it (an alias from the user's ssh config works).
    public var host: String
    /// The port, or nil for ssh's own choice.
    public var port: Int?
    /// The socket path on the intake host, or nil for `amanat dial-stdio`'s default.
    public var remoteSocket: String?

    /// Parses `ssh://[user@]host[:port]`; nil for anything else. A path, a query or a password is refused.
    public init?(url: String, remoteSocket: String? = nil) {
        guard url.hasPrefix("ssh://") else { return nil }
        var rest = Substring(url.dropFirst("ssh://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else { return nil }
        if let at = rest.lastIndex(of: "@") {
            let user = rest[..<at]
            guard !user.isEmpty, !user.contains(":") else { return nil }
            self.user = String(user)
            rest = rest[rest.index(after: at)...]
        }
        if let colon = rest.lastIndex(of: ":"), !rest.hasPrefix("[") || rest[..<colon].hasSuffix("]") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else { return nil }
            self.port = port
            rest = rest[..<colon]
        }
        if rest.hasPrefix("["), rest.hasSuffix("]") { rest = rest.dropFirst().dropLast() }
        // Names starting with "-" would be read by ssh as options.
        guard !rest.isEmpty, !rest.hasPrefix("-"), rest.allSatisfy({ !$0.isWhitespace && $0 != "@" }) else { return nil }
        host = String(rest)
        self.remoteSocket = remoteSocket
    }

    /// The command line: `ssh` (or `$AMANAT_SSH`, words split on spaces, for example `ssh -F config`), `-T` (no
    /// terminal: the channel carries bytes), `-x` and `-a` (no X11 or agent forwarding), the port and user, and on
    /// the intake host `amanat dial-stdio`. A key restricted to that command (README) ignores what is asked.
    public func commandLine(sshCommand: String?) -> [String] {
        var command = (sshCommand?.split(separator: " ").map(String.init)).flatMap { $0.isEmpty ? nil : $0 } ?? ["ssh"]
        command += ["-T", "-x", "-a"]
        if let port { command += ["-p", String(port)] }
        if let user { command += ["-l", user] }
        command += ["--", host, "amanat", "dial-stdio"]
        if let remoteSocket { command += ["--socket", remoteSocket] }
        return command
    }
}

extension ClientChannel {
    /// Starts `command` (an ssh running `amanat dial-stdio`) with one end of a socket pair as its standard input and
    /// output, and returns the other end (for `NIOPipeBootstrap`) and the child. Its standard error stays the
    /// caller's, so ssh's prompts and errors reach the terminal.
    static func spawnTunnel(_ command: [String]) throws(ClientError) -> (descriptor: Int32, child: pid_t) {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw ClientError(.system(operation: "socketpair", errno: errno))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, command[0], &actions, nil, argv, environ)
        Glibc.close(pair[1])
        guard rc == 0 else {
            Glibc.close(pair[0])
            throw ClientError(.system(operation: "starting \(command[0])", errno: rc))
        }
        return (pair[0], pid)
    }

    /// Waits for ssh to exit: it does once amanatd has closed the connection and dial-stdio has ended. One that
    /// lingers (a connection kept alive, a stuck network) gets SIGTERM after 5 seconds.
    static func reap(_ child: pid_t) {
        var status: Int32 = 0
        for _ in 0..<500 {
            let result = waitpid(child, &status, WNOHANG)
            if result == child || (result < 0 && errno != EINTR) { return }
            usleep(10_000)
        }
        kill(child, SIGTERM)
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
    }
}

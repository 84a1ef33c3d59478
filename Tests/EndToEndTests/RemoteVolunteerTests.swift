import Foundation
import Glibc
import Testing

/// A volunteer in another town: `amanat --host ssh://…` through a real OpenSSH server on loopback, started by the
/// test, logging in as a volunteer account whose key is restricted to `amanat dial-stdio` (README, "Volunteers in
/// another town"). amanatd sees that account's uid, so its groups decide.
@Suite(
    "remote volunteers over ssh",
    .required(
        geteuid() == 0 && access("/usr/sbin/sshd", X_OK) == 0 && access("/usr/bin/ssh", X_OK) == 0
            && access("/usr/sbin/useradd", X_OK) == 0,
        "needs root, openssh-server and openssh-client (scripts/deps.sh installs them)"
    )
)
struct RemoteVolunteerTests {
    /// The volunteer account on the "intake host" (this machine): made once, kept (useradd is not undone).
    static let volunteer = "amanat-ssh-volunteer"

    /// sshd on 127.0.0.1 with its own host key, config and authorized_keys, and an ssh config that reaches it as
    /// `volunteer` with its own key; amanatd with that account as a submitter.
    final class Site: @unchecked Sendable {
        let directory: TempDir
        let daemon: Daemon
        let sshd: Child
        let sshConfig: String
        let port: Int

        init() async throws {
            directory = try TempDir()
            // The volunteer's login must traverse the directory to reach the socket and the copied client.
            chmod(directory.path, 0o711)
            let (uid, gid) = try await Self.ensureVolunteer()
            _ = uid
            let key = try await TestKey.make(in: directory)
            daemon = try Daemon(
                in: directory, recipients: [key.publicKey], extraArguments: ["--submitter-group", volunteer]
            )
            // The socket's group is root's (the daemon's); give it to the volunteer's group instead, as the unit's
            // SocketGroup would.
            try #require(chown(daemon.socketPath, 0, gid) == 0)

            // A copy of amanat the volunteer may run, named in the forced command.
            let client = directory.file("amanat")
            let bytes = contents(Paths.binary("amanat"))
            let fd = open(client, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
            try #require(fd >= 0)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)

            for name in ["host_key", "user_key"] {
                let made = try await run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", directory.file(name)])
                try #require(made.status == 0, "\(made.stderr)")
            }
            let userKey = String(decoding: contents(directory.file("user_key.pub")), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            // The line the README documents: the key can run dial-stdio and nothing else, whatever the client asks.
            _ = try directory.write(
                "authorized_keys",
                "restrict,command=\"\(client) dial-stdio --socket \(daemon.socketPath)\" \(userKey)\n", mode: 0o644
            )
            port = try Self.freePort()
            let sshdConfig = try directory.write("sshd_config", """
                Port \(port)
                ListenAddress 127.0.0.1
                HostKey \(directory.file("host_key"))
                AuthorizedKeysFile \(directory.file("authorized_keys"))
                PidFile \(directory.file("sshd.pid"))
                StrictModes no
                UsePAM no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PubkeyAuthentication yes
                PermitRootLogin no
                AllowUsers \(volunteer)
                LogLevel VERBOSE

                """)
            mkdir("/run/sshd", 0o755)
            let log = try directory.write("sshd.log", [])
            sshd = Child(try spawn(
                "/usr/sbin/sshd", ["-D", "-e", "-f", sshdConfig], environment: [:], stdin: "/dev/null",
                stdout: log, stderr: log
            ))
            try #require(
                waitForText("Server listening on 127.0.0.1 port \(port)", in: log, while: sshd),
                "sshd did not start: \(String(decoding: contents(log), as: UTF8.self))"
            )
            let hostKey = String(decoding: contents(directory.file("host_key.pub")), as: UTF8.self)
            _ = try directory.write("known_hosts", "[127.0.0.1]:\(port) \(hostKey)")
            sshConfig = try directory.write("ssh_config", """
                Host intake-host
                    HostName 127.0.0.1
                    Port \(port)
                    User \(volunteer)
                    IdentityFile \(directory.file("user_key"))
                    IdentitiesOnly yes
                    UserKnownHostsFile \(directory.file("known_hosts"))
                    StrictHostKeyChecking yes
                    BatchMode yes

                """)
        }

        /// Runs amanat here (root, the laptop) against the intake host through ssh.
        func remote(_ arguments: [String], host: String = "ssh://intake-host", stdin: [UInt8] = []) async throws -> Outcome {
            try await run(
                Paths.binary("amanat"), ["--host", host] + arguments, stdin: stdin,
                environment: ["AMANAT_SSH": "/usr/bin/ssh -F \(sshConfig)"]
            )
        }

        deinit {
            sshd.terminate()
            sshd.waitUntilExit()
        }

        /// The volunteer account, made on first use, with a shell (ssh runs the forced command through it) and a
        /// password field sshd does not read as locked.
        static func ensureVolunteer() async throws -> (uid_t, gid_t) {
            if getpwnam(volunteer) == nil {
                let made = try await run(
                    "/usr/sbin/useradd", ["--system", "--user-group", "-M", "-d", "/nonexistent", "-s", "/bin/sh", volunteer]
                )
                try #require(made.status == 0 || getpwnam(volunteer) != nil, "\(made.stderr)")
            }
            let unlocked = try await run("/usr/sbin/usermod", ["-p", "*", volunteer])
            try #require(unlocked.status == 0, "\(unlocked.stderr)")
            let entry = try #require(getpwnam(volunteer))
            return (entry.pointee.pw_uid, entry.pointee.pw_gid)
        }

        static func freePort() throws -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard bound else { throw HarnessError("no free port") }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }

    @Test("submit, withdraw and read through ssh, as the volunteer's own uid; the key runs only dial-stdio")
    func commandsOverSSH() async throws {
        let site = try await Site()
        #expect(try await site.remote(["health"]).status == 0)
        let forms = try await site.remote(["forms"])
        #expect(forms.status == 0, "\(forms.stderr)")
        #expect(forms.stdoutText.contains("testimony"))

        let example = site.directory.file("example.json")
        try FileManager.default.copyItem(atPath: Paths.example("testimony.json"), toPath: example)
        let submitted = try await site.remote(["submit", "--json", example])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(submitted.stdout)) as? [String: Any]
        let recordID = try #require(answer?["record_id"] as? String)
        let token = try #require(answer?["withdrawal_token"] as? String)
        // Stored, as root sees locally.
        let exportPath = site.directory.file("export.sqlite")
        #expect(try await site.daemon.amanat(["export", "--out", exportPath]).status == 0)

        // amanatd saw the volunteer's uid, not root's: an admin operation is refused.
        let export = try await site.remote(["export", "--out", site.directory.file("remote-export.sqlite")])
        #expect(export.status == 3, "\(export.stderr)")
        #expect(export.stderr.contains("admin"))

        let tokenFile = try site.directory.write("token", token)
        let withdrawn = try await site.remote(["withdraw", recordID, "--token-file", tokenFile])
        #expect(withdrawn.status == 0, "\(withdrawn.stderr)")

        // The forced command wins: asking the server for a shell command still gets the relay to amanatd.
        let request = Array("GET /v1/health HTTP/1.1\r\nHost: amanat\r\nConnection: close\r\n\r\n".utf8)
        let forced = try await run(
            "/usr/bin/ssh", ["-F", site.sshConfig, "intake-host", "id"], stdin: request
        )
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdoutText.hasPrefix("HTTP/1.1 200"), "\(forced.stdoutText)")
        #expect(!forced.stdoutText.contains("uid="))
    }

    @Test("a bad --host, an unreachable host and a refused key are clear one-line errors")
    func failures() async throws {
        let site = try await Site()
        let bad = try await site.remote(["health"], host: "tcp://intake-host")
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("ssh://[user@]host[:port]"))
        // Another account: not in AllowUsers, so sshd refuses it and amanat says it got no answer.
        let refused = try await site.remote(["health"], host: "ssh://nobody@intake-host")
        #expect(refused.status == 2, "\(refused.stderr)")
    }
}

/// Waits until `path` holds `text`, woken by each write (inotify), while `child` runs; gives up after 30 s.
func waitForText(_ text: String, in path: String, while child: Child) -> Bool {
    let watch = inotify_init1(Int32(IN_CLOEXEC))
    guard watch >= 0 else { return false }
    defer { close(watch) }
    guard inotify_add_watch(watch, path, UInt32(IN_MODIFY)) >= 0 else { return false }
    let deadline = Date().addingTimeInterval(30)
    var events = [UInt8](repeating: 0, count: 4096)
    while !String(decoding: contents(path), as: UTF8.self).contains(text) {
        let left = Int32(deadline.timeIntervalSinceNow * 1000)
        guard left > 0, child.isRunning else { return false }
        var ready = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
        if poll(&ready, 1, left) == 1 {
            _ = events.withUnsafeMutableBytes { read(watch, $0.baseAddress, $0.count) }
        }
    }
    return true
}

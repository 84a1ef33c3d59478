import AmanatClient
import Foundation
import Glibc
import Testing

/// amanatd as systemd runs it: readiness, watchdog, journald, socket activation, reload, hardening.
@Suite("systemd integration")
struct SystemdTests {
    static func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/bin/\(name)", "/usr/sbin/\(name)"].first { access($0, X_OK) == 0 }
    }

    @Test("READY=1 is sent once the socket answers, and the socket has its mode")
    func readiness() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        // Daemon returns once READY=1 has arrived; the very first request must then succeed.
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200)
        var info = stat()
        #expect(stat(daemon.socketPath, &info) == 0 && info.st_mode & 0o777 == 0o660)
        #expect(await daemon.stop() == 0)
    }

    @Test("an abstract NOTIFY_SOCKET (@name) works too")
    func abstractNotifySocket() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey], notifySocket: "@amanat-test-\(UInt64.random(in: 0...UInt64.max))"
        )
        #expect(daemon.notify.messages.contains { $0.contains("READY=1") })
        #expect(await daemon.stop() == 0)
        #expect(daemon.notify.wait(for: "STOPPING=1", stillRunning: { false }))
    }

    @Test("watchdog pings arrive every half WATCHDOG_USEC")
    func watchdog() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], environment: ["WATCHDOG_USEC": "400000"])
        let arrivals = daemon.notify.waitForCount("WATCHDOG=1", count: 6)
        try #require(arrivals.count >= 5, "watchdog pings did not arrive")
        let span = arrivals.last!.timeIntervalSince(arrivals.first!)
        let intervals = Double(arrivals.count - 1)
        // Half of 400 ms is 200 ms: never faster; slower only by scheduling noise (generous bound).
        #expect(span >= 0.19 * intervals, "pings came faster than every 200 ms: \(span) s for \(intervals)")
        #expect(span <= 1.0 * intervals, "pings came far slower than every 200 ms: \(span) s for \(intervals)")
        #expect(await daemon.stop() == 0)
    }

    @Test("no watchdog pings when WATCHDOG_PID names another process")
    func watchdogOtherPID() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey], environment: ["WATCHDOG_USEC": "100000", "WATCHDOG_PID": "1"]
        )
        #expect(await daemon.stop() == 0)
        #expect(daemon.notify.wait(for: "STOPPING=1", stillRunning: { false }))
        #expect(!daemon.notify.messages.contains { $0.contains("WATCHDOG=1") })
    }

    @Test("under journald every log line carries a syslog priority")
    func journalPrefixes() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], environment: ["JOURNAL_STREAM": "8:12345"])
        _ = try daemon.client.request(method: "GET", path: "/v1/nothing")
        #expect(await daemon.stop() == 0)
        let lines = daemon.output.split(separator: "\n")
        #expect(lines.count >= 3)
        for line in lines {
            #expect(["<3>", "<4>", "<5>", "<6>", "<7>"].contains(line.prefix(3)), "\(line)")
        }
        #expect(lines.contains { $0.hasPrefix("<6>level=info msg=starting") })
    }

    @Test("core dumps are off and files are private")
    func processHygiene() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let pid = daemon.process.processIdentifier
        let limits = String(decoding: contents("/proc/\(pid)/limits"), as: UTF8.self)
        let core = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
        #expect(core.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"])
        let status = String(decoding: contents("/proc/\(pid)/status"), as: UTF8.self)
        #expect(status.contains("Umask:\t0077"))
        var info = stat()
        #expect(stat(daemon.databasePath, &info) == 0 && info.st_mode & 0o077 == 0)
        #expect(await daemon.stop() == 0)
    }

    @Test("refuses to run as root without --allow-root", .required(geteuid() == 0, "only meaningful as root"))
    func refusesRoot() async throws {
        let directory = try TempDir()
        let outcome = try await run(
            Paths.binary("amanatd"),
            ["--socket", directory.file("s.sock"), "--database", directory.file("db.sqlite"), "--forms", Paths.forms,
             "--recipient", StartupTests.validKey]
        )
        #expect(outcome.status == 78)
        #expect(outcome.stderr.contains("refusing to run as root"))
    }

    @Test(
        "socket activation: amanatd adopts the socket systemd-socket-activate passes",
        .required(tool("systemd-socket-activate") != nil, "systemd-socket-activate is not installed (Debian: systemd)")
    )
    func socketActivation() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let socketPath = directory.file("activated.sock")
        let notify = try NotifySocket(path: directory.file("notify.sock"))
        let log = try directory.write("activate.log", [])
        var arguments = ["-l", socketPath, "-E", "NOTIFY_SOCKET=\(notify.path)", Paths.binary("amanatd"),
                         "--database", directory.file("amanat.sqlite"), "--forms", Paths.forms,
                         "--recipient", key.publicKey, "--socket", directory.file("unused.sock")]
        if geteuid() == 0 { arguments.append("--allow-root") }
        // Its stderr through a FIFO, read as it comes. Opened for reading first (without waiting for a writer), or
        // the child's open of its stderr would wait for this one inside posix_spawn; then reads block as usual.
        let fifo = directory.file("activate.stderr")
        try #require(mkfifo(fifo, 0o600) == 0)
        let readEnd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(readEnd >= 0)
        defer { close(readEnd) }
        try #require(fcntl(readEnd, F_SETFL, 0) == 0)
        let process = Child(
            try spawn(
                Self.tool("systemd-socket-activate")!, arguments, environment: ProcessInfo.processInfo.environment,
                stdin: "/dev/null", stdout: log, stderr: fifo
            )
        )
        var buffer = [UInt8](repeating: 0, count: 65_536)
        // systemd-socket-activate says when it listens; amanatd starts only at the first connection, which
        // waits in the backlog meanwhile: exactly what a client sees while amanatd restarts under systemd.
        var said = ""
        while !said.contains("Listening on") {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(readEnd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            said += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        #expect(said.contains("Listening on"))
        let submitted = try UnixHTTPClient(socketPath: socketPath, timeoutSeconds: 30).request(
            method: "POST", path: "/v1/testimonies", body: contents(Paths.example("testimony-kk.json"))
        )
        #expect(submitted.status == 201)
        #expect(notify.wait(for: "READY=1", seconds: 5, stillRunning: { process.isRunning }))
        #expect(!FileManager.default.fileExists(atPath: directory.file("unused.sock")), "it bound its own socket")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // It has ended: read what is left in the FIFO, without waiting for an end of file.
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(readEnd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            said += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        #expect(said.contains("listening on the socket systemd passed"))
        let opened = try await key.open(directory.file("amanat.sqlite"))
        #expect(opened.status == 0)
        #expect(opened.stdoutLines.count == 1)
    }

    @Test("SIGHUP: a broken config is refused and the old one serves; a good one is applied")
    func reload() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let forms = directory.file("forms")
        try FileManager.default.createDirectory(atPath: forms, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(Paths.forms)/testimony.toml", toPath: "\(forms)/testimony.toml")
        let good = "forms = \"\(forms)\"\nrecipients = [\"\(key.publicKey)\"]\n"
        let config = try directory.write("amanatd.toml", good)
        // Forms and recipients come from the file alone: options would override what the reload changes.
        let daemon = try Daemon(in: directory, recipients: [], forms: nil, extraArguments: ["--config", config])
        let pid = daemon.process.processIdentifier

        try directory.write("amanatd.toml", good + "colour = \"blue\"\n")
        kill(pid, SIGHUP)
        #expect(daemon.notify.wait(for: "reload refused", seconds: 30, stillRunning: { daemon.process.isRunning }))
        let stillServing = try await daemon.amanat(["submit", Paths.example("testimony-ru.json")])
        #expect(stillServing.status == 0, "the old configuration must keep serving")

        let second = try String(contentsOfFile: "\(forms)/testimony.toml", encoding: .utf8)
            .replacingOccurrences(of: "id = \"testimony\"", with: "id = \"testimony-copy\"")
        try directory.write("forms/testimony-copy.toml", second)
        try directory.write("amanatd.toml", good)
        kill(pid, SIGHUP)
        #expect(daemon.notify.wait(for: "configuration reloaded", seconds: 30, stillRunning: { daemon.process.isRunning }))
        let listed = try await daemon.amanat(["forms"])
        #expect(listed.stdoutLines.count == 2)
        #expect(listed.stdoutText.contains("testimony-copy"))
        #expect(await daemon.stop() == 0)
        #expect(daemon.output.contains("reload refused"))
        #expect(daemon.output.contains("unknown key"))
    }

    @Test(
        "installed units verify cleanly and rate 1.0 or lower; uninstall removes them",
        .required(tool("systemd-analyze") != nil, "systemd-analyze is not installed (Debian: systemd)")
    )
    func installedUnits() async throws {
        let directory = try TempDir()
        let prefix = directory.file("prefix")
        let make = try #require(Self.tool("make"))
        let settings = ["BIN=\(Paths.binaries)", "PREFIX=\(prefix)", "SYSCONFDIR=\(prefix)/etc"]
        let install = try await run(make, ["-C", Paths.root, "install-files"] + settings)
        #expect(install.status == 0, "\(install.stderr)")
        let service = "\(prefix)/lib/systemd/system/amanatd.service"
        let socket = "\(prefix)/lib/systemd/system/amanatd.socket"
        for file in [service, socket, "\(prefix)/bin/amanatd", "\(prefix)/lib/sysusers.d/amanat.conf",
                     "\(prefix)/lib/tmpfiles.d/amanat.conf", "\(prefix)/etc/amanat/amanatd.toml",
                     "\(prefix)/etc/amanat/forms/testimony.toml"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) was not installed")
        }
        let unit = try String(contentsOfFile: service, encoding: .utf8)
        #expect(unit.contains("ExecStart=\(prefix)/bin/amanatd --config \(prefix)/etc/amanat/amanatd.toml"))

        let analyze = Self.tool("systemd-analyze")!
        let verify = try await run(analyze, ["verify", service, socket])
        #expect(verify.status == 0)
        #expect(verify.stdoutText.isEmpty && verify.stderr.isEmpty, "verify printed: \(verify.stdoutText)\(verify.stderr)")
        let security = try await run(analyze, ["security", "--offline=true", service])
        let verdict = try #require(security.stdoutLines.last { $0.contains("Overall exposure level") })
        let score = try #require(Double(verdict.split(separator: ":").last!.split(separator: " ").first!))
        #expect(score <= 1.0, "\(verdict)")

        // DESTDIR stages the same tree under another root.
        let staged = try await run(make, ["-C", Paths.root, "install-files", "BIN=\(Paths.binaries)",
                                          "DESTDIR=\(directory.file("stage"))", "PREFIX=/usr"])
        #expect(staged.status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.file("stage/usr/bin/amanatd")))
        #expect(FileManager.default.fileExists(atPath: directory.file("stage/etc/amanat/amanatd.toml")))

        let uninstall = try await run(make, ["-C", Paths.root, "uninstall"] + settings)
        #expect(uninstall.status == 0)
        for file in [service, socket, "\(prefix)/bin/amanatd", "\(prefix)/etc/amanat/amanatd.toml"] {
            #expect(!FileManager.default.fileExists(atPath: file), "\(file) was left behind")
        }
    }
}

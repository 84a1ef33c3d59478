import Foundation
import Glibc
import Testing

/// Each connection's SO_PEERCRED uid and groups decide what it may do, beyond the socket's permissions.
/// These tests switch users with setpriv, so they need root.
@Suite(
    "peer credentials",
    .required(geteuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0, "needs root and setpriv to switch users")
)
struct PeerCredentialTests {
    static let nobody: UInt32 = 65_534

    /// A daemon in a directory that `nobody` can traverse, with the socket's group (root) granted to the
    /// client through a supplementary group: the socket's permissions let it in, so only the peer check
    /// can refuse it.
    static func start(_ directory: TempDir, key: TestKey, groups: [String]) throws -> Daemon {
        chmod(directory.path, 0o711)
        var arguments: [String] = []
        for group in groups { arguments += ["--submitter-group", group] }
        return try Daemon(in: directory, recipients: [key.publicKey], extraArguments: arguments)
    }

    /// Runs the amanat CLI as uid/gid 65534 (nobody/nogroup) with supplementary group 0.
    static func asNobody(_ daemon: Daemon, _ arguments: [String]) async throws -> Outcome {
        // A copy nobody can reach; written through a close-on-exec descriptor, since a write descriptor
        // inherited by another test's child would make exec fail with ETXTBSY.
        let client = daemon.directory.file("amanat")
        if !FileManager.default.fileExists(atPath: client) {
            let bytes = contents(Paths.binary("amanat"))
            let fd = open(client, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
            try #require(fd >= 0)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        return try await run(
            "/usr/bin/setpriv",
            ["--reuid=\(nobody)", "--regid=\(nobody)", "--groups=0", "--", client, "--socket", daemon.socketPath]
                + arguments
        )
    }

    @Test("a uid outside the submitter groups gets 403, logged with its uid only")
    func forbidden() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Self.start(directory, key: key, groups: ["daemon"])
        let outcome = try await Self.asNobody(daemon, ["health"])
        #expect(outcome.status == 3, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("may not use amanatd"))
        let submit = try await Self.asNobody(daemon, ["submit", "-"])
        #expect(submit.status == 3)
        // The daemon's own uid (root here) is still served.
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200)
        #expect(await daemon.stop() == 0)
        #expect(daemon.output.contains("msg=\"access denied\" peer.uid=65534"))
    }

    @Test("a member of a submitter group submits")
    func submitter() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        // nogroup is nobody's primary group.
        let daemon = try Self.start(directory, key: key, groups: ["nogroup"])
        let example = directory.file("example.json")
        try FileManager.default.copyItem(atPath: Paths.example("testimony-ug.json"), toPath: example)
        chmod(example, 0o644)
        let outcome = try await Self.asNobody(daemon, ["submit", example])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdoutLines.first?.count == 32)
        // A submitter is not an admin.
        let rewrap = directory.file("empty.rewrap")
        try directory.write("empty.rewrap", Array("{}\n".utf8), mode: 0o644)
        let admin = try await Self.asNobody(daemon, ["import-rewrap", rewrap])
        #expect(admin.status == 3)
        #expect(admin.stderr.contains("admin group"))
        // Nor may a submitter export the archive; the half-made file is removed.
        chmod(directory.path, 0o777)
        let exportPath = directory.file("export-by-submitter.sqlite")
        let export = try await Self.asNobody(daemon, ["export", "--out", exportPath])
        chmod(directory.path, 0o711)
        #expect(export.status == 3 && export.stderr.contains("admin group"), "\(export.stderr)")
        #expect(!FileManager.default.fileExists(atPath: exportPath))
        #expect(await daemon.stop() == 0)
        #expect(!daemon.output.contains("access denied"))
    }
}

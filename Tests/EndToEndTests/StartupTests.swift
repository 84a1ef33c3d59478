import Foundation
import Testing

/// amanatd refuses to start, with one clear line, on every kind of bad configuration.
@Suite("daemon start-up")
struct StartupTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let arguments: @Sendable (TempDir, String) throws -> [String]
        let message: String
        var testDescription: String { name }
    }

    static let validKey = "amanat-pk-sua3kapgddwmi3dwh7aneet3uasfyxipatpdrvbzigbmgsnmpa2x2qyzae"

    static let rootFlag = geteuid() == 0 ? ["--allow-root"] : []

    static func base(_ directory: TempDir) -> [String] {
        ["--socket", directory.file("s.sock"), "--database", directory.file("db.sqlite"), "--forms", Paths.forms]
            + rootFlag
    }

    static let cases: [Case] = [
        Case(name: "malformed recipient key", arguments: { dir, key in
            base(dir) + ["--recipient", String(key.dropLast()) + (key.last == "a" ? "b" : "a")]
        }, message: "recipient 1: public key checksum does not match"),
        Case(name: "truncated recipient key", arguments: { dir, key in base(dir) + ["--recipient", String(key.dropLast(3))] },
             message: "recipient 1: public key has the wrong length"),
        Case(name: "not a key", arguments: { dir, _ in base(dir) + ["--recipient", "age1qqqq"] },
             message: "recipient 1: not an amanat public key"),
        Case(name: "no recipient", arguments: { dir, _ in base(dir) }, message: "recipients: the identity section needs"),
        Case(name: "no recipient for the testimony section", arguments: { dir, key in
            base(dir) + ["--identity-recipient", key]
        }, message: "recipients: the testimony section needs at least one"),
        Case(name: "malformed identity recipient", arguments: { dir, key in
            base(dir) + ["--recipient", key, "--identity-recipient", "amanat-pk-abc"]
        }, message: "identity_recipient 1: public key has the wrong length"),
        Case(name: "unknown config key", arguments: { dir, key in
            let config = try dir.write("bad.toml", "sockett = \"/tmp/x\"\n")
            return base(dir) + ["--recipient", key, "--config", config]
        }, message: "unknown key \"sockett\""),
        Case(name: "unknown limit key", arguments: { dir, key in
            let config = try dir.write("bad.toml", "[limits]\nmax_body = 5\n")
            return base(dir) + ["--recipient", key, "--config", config]
        }, message: "unknown key \"limits.max_body\""),
        Case(name: "config with a wrong type", arguments: { dir, key in
            let config = try dir.write("bad.toml", "socket_mode = 660\n")
            return base(dir) + ["--recipient", key, "--config", config]
        }, message: "socket_mode"),
        Case(name: "config that is not TOML", arguments: { dir, key in
            let config = try dir.write("bad.toml", "socket = \n")
            return base(dir) + ["--recipient", key, "--config", config]
        }, message: "bad.toml: line 1"),
        Case(name: "missing config file", arguments: { dir, key in base(dir) + ["--recipient", key, "--config", dir.file("no.toml")] },
             message: "cannot read config file"),
        Case(name: "socket open to others", arguments: { dir, key in base(dir) + ["--recipient", key, "--socket-mode", "0666"] },
             message: "socket_mode: others must have no access"),
        Case(name: "limit out of range", arguments: { dir, key in base(dir) + ["--recipient", key, "--max-json-depth", "1"] },
             message: "limits.max_json_depth: must be between"),
        Case(name: "forms that do not load", arguments: { dir, key in
            try FileManager.default.createDirectory(atPath: dir.file("forms"), withIntermediateDirectories: true)
            try dir.write("forms/broken.toml", "id = \"broken\"\nversion = 1\n")
            return ["--socket", dir.file("s.sock"), "--database", dir.file("db.sqlite"), "--forms", dir.file("forms"),
                    "--recipient", key] + rootFlag
        }, message: "forms/broken.toml: missing key"),
        Case(name: "missing forms directory", arguments: { dir, key in
            ["--socket", dir.file("s.sock"), "--database", dir.file("db.sqlite"), "--forms", dir.file("nope"),
             "--recipient", key] + rootFlag
        }, message: "cannot read forms directory"),
        Case(name: "database in a missing directory", arguments: { dir, key in
            ["--socket", dir.file("s.sock"), "--database", dir.file("no/such/db.sqlite"), "--forms", Paths.forms,
             "--recipient", key] + rootFlag
        }, message: "cannot open database"),
        Case(name: "database directory writable by others", arguments: { dir, key in
            try FileManager.default.createDirectory(atPath: dir.file("shared"), withIntermediateDirectories: true)
            chmod(dir.file("shared"), 0o777)
            return ["--socket", dir.file("s.sock"), "--database", dir.file("shared/db.sqlite"), "--forms", Paths.forms,
                    "--recipient", key] + rootFlag
        }, message: "shared is writable by other users; run: chmod go-w"),
        Case(name: "database file writable by its group", arguments: { dir, key in
            try dir.write("db.sqlite", [], mode: 0o660)
            return base(dir) + ["--recipient", key]
        }, message: "db.sqlite is writable by other users; run: chmod go-w"),
        Case(name: "unknown submitter group", arguments: { dir, key in
            base(dir) + ["--recipient", key, "--submitter-group", "no-such-group-amanat"]
        }, message: "submitter_groups: no such group \"no-such-group-amanat\""),
        Case(name: "unknown admin group in the config", arguments: { dir, key in
            let config = try dir.write("bad.toml", "admin_groups = [\"no-such-group-amanat\"]\n")
            return base(dir) + ["--recipient", key, "--config", config]
        }, message: "admin_groups: no such group"),
        Case(name: "database that is not amanat's", arguments: { dir, key in
            try dir.write("db.sqlite", Array(repeating: UInt8(ascii: "x"), count: 4096))
            return base(dir) + ["--recipient", key]
        }, message: "db.sqlite: file is not a database"),
    ]

    @Test("refuses to start with one clear error line", arguments: cases)
    func refuses(_ testCase: Case) async throws {
        let directory = try TempDir()
        let arguments = try testCase.arguments(directory, Self.validKey)
        let outcome = try await run(Paths.binary("amanatd"), arguments)
        #expect(outcome.status == 78, "\(testCase.name): \(outcome.stderr)")
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(testCase.name): \(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("amanatd: error: "))
        #expect(outcome.stderr.contains(testCase.message), "\(testCase.name): \(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("s.sock")))
    }

    @Test("the sample config is valid, and options override it")
    func sampleConfig() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            // The sample names the groups sysusers.d creates on a server; here, options stand in for them.
            extraArguments: ["--config", "\(Paths.root)/config/amanatd.toml", "--socket-mode", "0600",
                             "--submitter-group", "nogroup", "--admin-group", "nogroup"]
        )
        var info = stat()
        #expect(stat(daemon.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200)
        #expect(await daemon.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
    }
}

@Suite("check-config")
struct CheckConfigTests {
    @Test("--check-config prints the effective settings, options included")
    func effectiveSettings() async throws {
        let directory = try TempDir()
        let config = try directory.write(
            "amanatd.toml",
            "forms = \"\(Paths.forms)\"\ndatabase = \"\(directory.file("db.sqlite"))\"\n"
                + "recipients = [\"\(StartupTests.validKey)\"]\n[limits]\nmax_json_depth = 12\n"
        )
        let outcome = try await run(
            Paths.binary("amanatd"), ["--check-config", config, "--max-connections", "7", "--submitter-group", "nogroup"]
        )
        #expect(outcome.status == 0, "\(outcome.stderr)")
        for line in ["max_json_depth = 12", "max_connections = 7", "submitter_groups = [\"nogroup\"]",
                     "identity_recipients = [\"\(StartupTests.validKey)\"]",
                     "testimony_recipients = [\"\(StartupTests.validKey)\"]", "received_precision = \"day\"",
                     "socket = \"/run/amanat/amanatd.sock\""] {
            #expect(outcome.stdoutText.contains(line), "missing: \(line)")
        }
        #expect(outcome.stdoutText.contains("testimony v1"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("db.sqlite")), "a check must create nothing")
    }

    @Test("--check-config exits non-zero with one line on any error")
    func invalid() async throws {
        let directory = try TempDir()
        let config = try directory.write("amanatd.toml", "recipients = [\"amanat-pk-x\"]\n")
        let outcome = try await run(Paths.binary("amanatd"), ["--check-config", config])
        #expect(outcome.status == 78)
        #expect(outcome.stderr == "amanatd: error: recipient 1: public key has the wrong length: it may be truncated\n")
        #expect(outcome.stdout.isEmpty)
    }

    /// toml++ 3.4.0, under TOMLKit, aborts the process on these unless AmanatTOML refuses them first.
    @Test("--check-config refuses, with line and column, the TOML on which toml++ would abort", arguments: [
        ("[é]\n", "line 1, column 2: a table header's key must start with a letter, digit, _, - or a quote"),
        ("[limits]\nmax_connections = [}\n", "line 2, column 20: an array needs a value or ] here, not }"),
    ])
    func tomlThatWouldAbort(text: String, message: String) async throws {
        let directory = try TempDir()
        let config = try directory.write("amanatd.toml", text)
        let outcome = try await run(Paths.binary("amanatd"), ["--check-config", config])
        #expect(outcome.status == 78)
        #expect(outcome.stderr == "amanatd: error: \(config): \(message)\n")
        #expect(outcome.stdout.isEmpty)
    }
}

import AmanatFormat
import AmanatJSON
import Foundation
import Glibc
import Testing

/// What every binary does the same way: --version, --json, shell completions, man pages and their installation.
@Suite("command-line conventions")
struct ConventionsTests {
    static let binaries = ["amanatd", "amanat", "amanat-keyholder"]

    @Test("--version prints the one version string", arguments: binaries)
    func version(binary: String) async throws {
        let outcome = try await run(Paths.binary(binary), ["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.stdoutLines == [AmanatVersion.text])
    }

    @Test("completion scripts are generated for bash, zsh and fish", arguments: binaries)
    func completions(binary: String) async throws {
        let bash = try await run(Paths.binary(binary), ["--generate-completion-script", "bash"])
        #expect(bash.status == 0)
        #expect(bash.stdoutText.contains("complete ") && bash.stdoutText.contains(binary))
        let directory = try TempDir()
        let script = try directory.write("completion.bash", bash.stdout)
        #expect(try await run("/bin/bash", ["-n", script]).status == 0, "bash cannot parse the script")
        let zsh = try await run(Paths.binary(binary), ["--generate-completion-script", "zsh"])
        #expect(zsh.status == 0 && zsh.stdoutText.hasPrefix("#compdef \(binary)"))
        let fish = try await run(Paths.binary(binary), ["--generate-completion-script", "fish"])
        #expect(fish.status == 0 && fish.stdoutText.contains("complete -c '\(binary)'"))
        if binary == "amanat-keyholder" {
            for script in [bash, zsh, fish] {
                #expect(script.stdoutText.contains("open") && script.stdoutText.contains("format"))
                #expect(script.stdoutText.contains("html"), "the --format values are completed")
            }
        }
    }

    @Test("every amanat command that prints data prints valid JSON with --json")
    func json() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let commands = [
            ["health", "--json"], ["--json", "health"], ["forms", "--json"], ["forms", "testimony", "--json"],
            ["submit", "--json", Paths.example("testimony-zh.json")], ["signing-key", "--json"],
            ["export", "--json", "--out", directory.file("export.sqlite")],
        ]
        for command in commands {
            let outcome = try await daemon.amanat(command)
            #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
            #expect((try? JSONParser().parse(outcome.stdout)) != nil, "\(command) printed \(outcome.stdoutText)")
        }
        // A refusal is JSON too (the problem document), with exit code 3.
        let missing = try await daemon.amanat(["forms", "nonexistent", "--json"])
        #expect(missing.status == 3)
        #expect(try JSONParser().parse(missing.stdout)["type"] != nil)
        // withdraw: the JSON answer, and the same-for-everyone refusal as a problem document.
        let stored = try await daemon.amanat(["submit", "--json", Paths.example("testimony-kk.json")])
        let answer = try JSONParser().parse(stored.stdout)
        let id = try #require(answer["record_id"]?.stringValue)
        let token = try directory.write("token", try #require(answer["withdrawal_token"]?.stringValue))
        let withdrawn = try await daemon.amanat(["withdraw", "--json", id, "--token-file", token])
        #expect(try JSONParser().parse(withdrawn.stdout)["withdrawn"] == .bool(true), "\(withdrawn.stderr)")
        let again = try await daemon.amanat(["withdraw", "--json", id, "--token-file", token])
        let refusal = try JSONParser().parse(again.stdout)
        #expect(again.status == 3 && refusal["type"] != nil)
        // receipt verify: offline, no daemon involved.
        let receiptFile = try directory.write("receipt.json", stored.stdout)
        let signingKey = try #require(try await daemon.amanat(["signing-key"]).stdoutLines.first)
        let verified = try await run(Paths.binary("amanat"), ["receipt", "verify", "--json", receiptFile, "--signing-key", signingKey])
        #expect(try JSONParser().parse(verified.stdout)["valid"] == .bool(true), "\(verified.stderr)")
        #expect(await daemon.stop() == 0)

        // import-rewrap: a rewrap file made offline from a copy, imported by the restarted daemon.
        let copy = directory.file("copy.sqlite")
        try FileManager.default.copyItem(atPath: daemon.databasePath, toPath: copy)
        let rewrapFile = directory.file("same.rewrap")
        let rewrap = try await key.rewrap(copy, to: key.publicKey, out: rewrapFile)
        #expect(rewrap.status == 0, "\(rewrap.stderr)")
        let restarted = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--rewrap-signer", try await key.signer()])
        let imported = try await restarted.amanat(["import-rewrap", "--json", rewrapFile])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try JSONParser().parse(imported.stdout)["replaced"] == .number("1"), "\(imported.stdoutText)")
        #expect(await restarted.stop() == 0)
    }

    @Test("--help of amanatd and open: one sentence an option, paragraphs without hard line breaks, 80 columns",
          arguments: [["amanatd"], ["amanat-keyholder", "open"]])
    func help(command: [String]) async throws {
        // Wide enough that nothing wraps: every paragraph and every option's description is then one line.
        let wide = try await run(Paths.binary(command[0]), Array(command.dropFirst()) + ["--help"],
                                 environment: ["COLUMNS": "10000"])
        #expect(wide.status == 0)
        let lines = wide.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let usage = try #require(lines.firstIndex { $0.hasPrefix("USAGE:") })
        for line in lines[..<usage] where !line.isEmpty {
            #expect(line.hasSuffix(".") || line.hasSuffix(":"), "a paragraph broken mid-sentence: \(line)")
        }
        let options = try #require(lines.firstIndex(of: "OPTIONS:"))
        var described = 0
        for line in lines[(options + 1)...] where !line.isEmpty {
            // "  --name <value>   Description." or the description alone on the line after a long name.
            let text = line.hasPrefix("  -")
                ? line.components(separatedBy: "  ").dropFirst(2).filter { !$0.isEmpty }.joined(separator: "  ")
                : line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            // What argument-parser adds: the values and the default.
            let own = text.replacingOccurrences(
                of: #" \((values|default): [^)]*\)$"#, with: "", options: .regularExpression
            )
            #expect(own.hasSuffix("."), "\(line)")
            #expect(!own.dropLast().contains(". "), "more than one sentence: \(line)")
            #expect(!own.contains("(default") || !text.contains("(default:"), "the default said twice: \(line)")
            described += 1
        }
        #expect(described > 5)
        // At 80 columns argument-parser wraps every line to fit.
        let narrow = try await run(Paths.binary(command[0]), Array(command.dropFirst()) + ["--help"],
                                   environment: ["COLUMNS": "80"])
        for line in narrow.stdoutText.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
    }

    @Test("install-files installs completions and man pages under DESTDIR; uninstall removes them",
          .required(access("/usr/bin/make", X_OK) == 0, "make is not installed"),
          .required(FileManager.default.fileExists(atPath: "\(manPages)/amanat.1")
                       || ProcessInfo.processInfo.environment["AMANAT_MAN_DIR"] != nil, "run make man first"))
    func install() async throws {
        let directory = try TempDir()
        let stage = directory.file("stage")
        let settings = ["BIN=\(Paths.binaries)", "DESTDIR=\(stage)", "PREFIX=/usr", "MANPAGES=\(Self.manPages)"]
        let install = try await run("/usr/bin/make", ["-C", Paths.root, "install-files"] + settings)
        #expect(install.status == 0, "\(install.stderr)")
        var installed: [String] = []
        for binary in Self.binaries {
            installed += [
                "\(stage)/usr/share/bash-completion/completions/\(binary)",
                "\(stage)/usr/share/zsh/site-functions/_\(binary)",
                "\(stage)/usr/share/fish/vendor_completions.d/\(binary).fish",
                "\(stage)/usr/share/man/man1/\(binary).1",
            ]
        }
        for file in installed {
            #expect(contents(file).count > 100, "\(file) was not installed")
            var info = stat()
            #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o644, "\(file) mode")
        }
        let page = String(decoding: contents("\(stage)/usr/share/man/man1/amanat-keyholder.1"), as: UTF8.self)
        #expect(page.contains(".Dt AMANAT-KEYHOLDER 1") && page.contains("--format"))
        let bash = String(decoding: contents("\(stage)/usr/share/bash-completion/completions/amanat"), as: UTF8.self)
        #expect(bash.contains("submit") && bash.contains("import-rewrap"))

        let uninstall = try await run("/usr/bin/make", ["-C", Paths.root, "uninstall"] + settings)
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        for file in installed { #expect(!FileManager.default.fileExists(atPath: file), "\(file) was left behind") }
    }

    /// Where `make man` put the man pages: $AMANAT_MAN_DIR (set by make test), else .build/man.
    static var manPages: String {
        ProcessInfo.processInfo.environment["AMANAT_MAN_DIR"] ?? "\(Paths.root)/.build/man"
    }
}

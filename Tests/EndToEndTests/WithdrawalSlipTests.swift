import Foundation
import Testing

/// The witness's slip (issue 16, point 3): printed after sending, printed again by `amanat slip`, and typed back
/// into `amanat withdraw` as a person would, on a terminal, in Russian and Kazakh, typos caught as typos.
@Suite("withdrawal slip")
struct WithdrawalSlipTests {
    /// The slip's two lines, as printed: label, groups, check character.
    static func slipLines(_ text: String) throws -> (number: String, key: String) {
        let lines = text.split(separator: "\n").map(String.init)
        let number = try #require(lines.first { $0.hasPrefix("Номер:") || $0.hasPrefix("Нөмір:") || $0.hasPrefix("Number:") })
        let key = try #require(lines.first { $0.hasPrefix("Ключ:") || $0.hasPrefix("Кілт:") || $0.hasPrefix("Key:") })
        func value(_ line: String) -> String {
            String(line.drop { $0 != ":" }.dropFirst()).trimmingCharacters(in: .whitespaces)
        }
        return (value(number), value(key))
    }

    @Test("a slip in Russian, then withdrawal typed from it on a terminal: a typo is a typo, then it works")
    func slipAndWithdrawal() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let submitted = try await daemon.amanat(["submit", "--json", Paths.example("testimony.json")])
        #expect(submitted.status == 0)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(submitted.stdout)) as? [String: Any])
        let recordID = try #require(answer["record_id"] as? String)
        let slip = try await run(Paths.binary("amanat"), ["slip", "--lang", "ru"], stdin: submitted.stdout)
        #expect(slip.status == 0, "\(slip.stderr)")
        #expect(!slip.stdoutText.lowercased().contains("amanat"), "the slip names no project")
        #expect(slip.stdoutText.split(separator: "\n").allSatisfy { $0.count <= 80 })
        let (number, token) = try Self.slipLines(slip.stdoutText)
        // Eight groups of four and the check character; thirteen and the check.
        #expect(number.split(separator: " ").map(\.count) == Array(repeating: 4, count: 8) + [1])
        #expect(token.split(separator: " ").map(\.count) == Array(repeating: 4, count: 13) + [1])
        #expect(number.replacingOccurrences(of: " ", with: "").hasPrefix(recordID))

        // One character of the number mistyped: the check character catches it, nothing is sent.
        var typo = Array(number)
        typo[5] = typo[5] == "a" ? "b" : "a"
        let wrong = try PseudoTerminal(
            Paths.binary("amanat"), ["--socket", daemon.socketPath, "withdraw", "--lang", "ru"],
            environment: ["LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"], directory: directory.path
        )
        _ = try wrong.expect("Номер (с листка):")
        try wrong.type(String(typo).uppercased() + "\r")
        _ = try wrong.expect("Номер: опечатка, проверочный знак не совпадает.")
        #expect(try wrong.finish() == 64)

        // Typed as a person would: capitals, dashes between groups; asked for the key on the terminal.
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"), ["--socket", daemon.socketPath, "withdraw", "--lang", "ru"],
            environment: ["LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"], directory: directory.path
        )
        _ = try terminal.expect("Номер (с листка):")
        try terminal.type(number.uppercased().replacingOccurrences(of: " ", with: "-") + "\r")
        _ = try terminal.expect("Ключ (с листка):")
        try terminal.type(token.uppercased() + "\r")
        _ = try terminal.expect("отозвано: \(recordID)")
        #expect(try terminal.finish() == 0)
        #expect(await daemon.stop() == 0)
    }

    @Test("the token's old form still works, and the Kazakh slip reads right")
    func oldTokensAndKazakh() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let submitted = try await daemon.amanat(["submit", "--json", Paths.example("testimony.json")])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(submitted.stdout)) as? [String: Any])
        let recordID = try #require(answer["record_id"] as? String)
        let token = try #require(answer["withdrawal_token"] as? String)
        let slip = try await run(Paths.binary("amanat"), ["slip", "--lang", "kk"], stdin: submitted.stdout)
        #expect(slip.stdoutText.hasPrefix("Бұл қағазды қауіпсіз жерде сақтаңыз"))
        _ = try Self.slipLines(slip.stdoutText)
        let tokenFile = try directory.write("token", token + "\n")
        let withdrawn = try await daemon.amanat(["withdraw", recordID, "--token-file", tokenFile])
        #expect(withdrawn.status == 0, "\(withdrawn.stderr)")
        #expect(await daemon.stop() == 0)
    }
}

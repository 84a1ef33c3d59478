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

    /// What the witness's volunteer sees, by language.
    struct Words: Sendable, CustomTestStringConvertible {
        let lang: String
        let askNumber: String
        let askKey: String
        let typo: String
        let withdrawn: String
        let already: String

        var testDescription: String { lang }
    }

    static let languages = [
        Words(
            lang: "ru", askNumber: "Номер (с листка):", askKey: "Ключ (с листка):",
            typo: "Номер: опечатка, проверочный знак не совпадает.", withdrawn: "отозвано: ",
            already: "эти показания уже отозваны; ничего не изменено"
        ),
        Words(
            lang: "kk", askNumber: "Нөмір (қағаздан):", askKey: "Кілт (қағаздан):",
            typo: "Нөмір: қате бар, тексеру таңбасы сәйкес емес.", withdrawn: "кері алынды: ",
            already: "бұл айғақ бұрын кері алынған; ештеңе өзгертілмеді"
        ),
    ]

    @Test(
        "a slip, then withdrawal typed from it on a terminal: a typo is a typo, then it works, then 'already withdrawn'",
        arguments: languages
    )
    func slipAndWithdrawal(_ words: Words) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let submitted = try await daemon.amanat(["submit", "--json", Paths.example("testimony.json")])
        #expect(submitted.status == 0)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(submitted.stdout)) as? [String: Any])
        let recordID = try #require(answer["record_id"] as? String)
        let slip = try await run(Paths.binary("amanat"), ["slip", "--lang", words.lang], stdin: submitted.stdout)
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
            Paths.binary("amanat"), ["--socket", daemon.socketPath, "withdraw", "--lang", words.lang],
            environment: ["LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"], directory: directory.path
        )
        _ = try wrong.expect(words.askNumber)
        try wrong.type(String(typo).uppercased() + "\r")
        _ = try wrong.expect(words.typo)
        #expect(try wrong.finish() == 64)

        // Typed as a person would: capitals, dashes between groups; asked for the key on the terminal.
        func withdraw() throws -> PseudoTerminal {
            let terminal = try PseudoTerminal(
                Paths.binary("amanat"), ["--socket", daemon.socketPath, "withdraw", "--lang", words.lang],
                environment: ["LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"], directory: directory.path, columns: 40
            )
            _ = try terminal.expect(words.askNumber)
            try terminal.type(number.uppercased().replacingOccurrences(of: " ", with: "-") + "\r")
            _ = try terminal.expect(words.askKey)
            try terminal.type(token.uppercased() + "\r")
            return terminal
        }
        let terminal = try withdraw()
        _ = try terminal.expect(words.withdrawn + recordID)
        #expect(try terminal.finish() == 0)
        // The same slip again: the holder of the valid token is told it is withdrawn already, wrapped at word
        // boundaries to the 40-column terminal.
        let again = try withdraw()
        #expect(try again.finish() == 3)
        let shown = String(decoding: again.output, as: UTF8.self)
        let error = try #require(shown.range(of: "amanat: error: ")).lowerBound
        let lines = shown[error...].split(separator: "\r\n").filter { !$0.hasPrefix("amanat: hint") }
        #expect(lines.count >= 2 && lines.allSatisfy { $0.count <= 40 && !$0.hasSuffix(" ") }, "\(lines)")
        #expect(lines.joined(separator: " ").contains(words.already), "\(lines)")
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

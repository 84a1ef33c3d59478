import AmanatJSON
import Foundation
import Testing

/// The whole path with the three real binaries: key, daemon, submissions, clean stop, offline opening.
@Suite("end to end")
struct RoundTripTests {
    static let examples = [
        "testimony.json", "testimony-kk.json", "testimony-ug.json", "testimony-zh.json", "testimony-ru.json",
    ]

    @Test("every example round-trips exactly, in every script")
    func roundTrip() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let pubkey = try await run(Paths.binary("amanat-keyholder"), ["pubkey", key.keyFile])
        #expect(pubkey.status == 0)
        #expect(pubkey.stdoutLines == [key.publicKey])

        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let health = try await daemon.amanat(["health"])
        #expect(health.status == 0)
        #expect(health.stdoutText.contains("ok"))
        let forms = try await daemon.amanat(["forms"])
        #expect(forms.status == 0)
        #expect(forms.stdoutText.hasPrefix("testimony\t"))

        var submitted: [String: JSONValue] = [:]
        for name in Self.examples {
            let document = try JSONParser().parse(contents(Paths.example(name)))
            let fields = try #require(document["fields"])
            let outcome = try await daemon.amanat(["submit", Paths.example(name)])
            #expect(outcome.status == 0, "\(name): \(outcome.stderr)")
            let recordID = try #require(outcome.stdoutLines.first)
            #expect(recordID.count == 32)
            submitted[recordID] = fields
        }
        // The same testimony from standard input, answered as JSON.
        let viaStdin = try await daemon.amanat(["submit", "--json", "-"], stdin: contents(Paths.example("testimony-kk.json")))
        #expect(viaStdin.status == 0)
        let answer = try JSONParser().parse(viaStdin.stdout)
        let stdinID = try #require(answer["record_id"]?.stringValue)
        #expect(answer["received"]?.stringValue?.count == 10)
        submitted[stdinID] = try JSONParser().parse(contents(Paths.example("testimony-kk.json")))["fields"]

        #expect(await daemon.stop() == 0)
        #expect(daemon.output.contains("msg=stopped"))

        let opened = try await key.open(daemon.databasePath)
        #expect(opened.status == 0, "\(opened.stderr)")
        let records = try opened.stdoutLines.map { try JSONParser().parse(Array($0.utf8)) }
        #expect(records.count == submitted.count)
        for record in records {
            let id = try #require(record["record_id"]?.stringValue)
            let expected = try #require(submitted[id])
            #expect(record["fields"] == expected, "record \(id) differs")
            #expect(record["form"] == .string("testimony"))
            #expect(record["unopened"] == nil)
        }
    }

    @Test("the key holder writes CSV and refuses to overwrite an output file")
    func csvOutput() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let outcome = try await daemon.amanat(["submit", Paths.example("testimony-ru.json")])
        #expect(outcome.status == 0)
        #expect(await daemon.stop() == 0)

        let csvPath = directory.file("out.csv")
        let opened = try await key.open(daemon.databasePath, extra: ["--format", "csv", "--out", csvPath])
        #expect(opened.status == 0, "\(opened.stderr)")
        let csv = String(decoding: contents(csvPath), as: UTF8.self)
        #expect(csv.hasPrefix("\"record_id\",\"form\",\"form_version\",\"received\","))
        #expect(csv.contains("\"full_name\""))
        let document = try JSONParser().parse(contents(Paths.example("testimony-ru.json")))
        let name = try #require(document["fields"]?["full_name"]?.stringValue)
        #expect(csv.contains("\"\(name)\""))
        var info = stat()
        #expect(stat(csvPath, &info) == 0 && info.st_mode & 0o777 == 0o600)

        let again = try await key.open(daemon.databasePath, extra: ["--format", "csv", "--out", csvPath])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
        #expect(contents(csvPath) == Array(csv.utf8))
    }
}

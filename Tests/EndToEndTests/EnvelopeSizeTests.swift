import AmanatJSON
import Foundation
import GRDB
import Testing

/// Issue 17, point 3: an identity envelope's size tells neither a name's script and length nor the number of
/// relatives, through the real daemon and the shipped form (min_padded_bytes).
@Suite("envelope sizes")
struct EnvelopeSizeTests {
    /// A testimony of the shipped form with `name` and `relatives` relatives.
    static func testimony(name: String, relatives: Int) -> [UInt8] {
        var fields: [String: JSONValue] = [
            "full_name": .string(name),
            "narrative": .string("Мен 1985 жылы Тарбағатай аймағында туғанмын."),
            "language": .string("kk"),
            "consent": .string("archive_only"),
        ]
        if relatives > 0 {
            fields["relatives"] = .array((0..<relatives).map { index in
                .object([
                    "name": .string("Нұрлан Бақытұлы \(index)"), "relation": .string("brother"),
                    "location": .string("Шыңжаң, Дөрбілжін ауданы"), "status": .string("detained_camp"),
                ])
            })
        }
        return JSONValue.object(["form": .string("testimony"), "fields": .object(fields)]).canonicalBytes()
    }

    @Test("ASCII and Chinese 200-character names, and zero and five relatives, give envelopes of one size")
    func oneSize() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let cases = [
            ("ascii", Self.testimony(name: String(repeating: "a", count: 200), relatives: 0)),
            ("chinese", Self.testimony(name: String(repeating: "阿", count: 200), relatives: 0)),
            ("five-relatives", Self.testimony(name: "Ақмарал Төлеубайқызы", relatives: 5)),
            ("no-relatives", Self.testimony(name: "Ақмарал Төлеубайқызы", relatives: 0)),
        ]
        var ids: [String: String] = [:]
        for (name, body) in cases {
            let file = try directory.write("\(name).json", body)
            let outcome = try await daemon.amanat(["submit", "--json", file])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            ids[name] = try #require(try JSONParser().parse(outcome.stdout).objectValue?["record_id"]?.stringValue)
        }
        var readOnly = Configuration()
        readOnly.readonly = true
        let queue = try DatabaseQueue(path: daemon.databasePath, configuration: readOnly)
        let sizes = try await queue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT hex(record_id), length(identity_envelope), length(testimony_envelope) FROM records"
            ).map { (($0[0] as String).lowercased(), $0[1] as Int, $0[2] as Int) }
        }
        try queue.close()
        var identity: [String: Int] = [:]
        var testimony: [String: Int] = [:]
        for (name, _) in cases {
            let row = try #require(sizes.first { $0.0 == ids[name] })
            identity[name] = row.1
            testimony[name] = row.2
        }
        #expect(Set(identity.values).count == 1, "identity envelopes: \(identity)")
        #expect(Set(testimony.values).count == 1, "testimony envelopes: \(testimony)")
        // The shipped form's minimums (8192 and 32768 padded bytes), plus the envelope's header, one stanza and the tag.
        let identitySize = identity["ascii"] ?? 0
        let testimonySize = testimony["ascii"] ?? 0
        #expect(identitySize > 8192 && identitySize < 8192 + 512, "\(identitySize)")
        #expect(testimonySize > 32768 && testimonySize < 32768 + 512, "\(testimonySize)")
        #expect(await daemon.stop() == 0)
    }
}

import AmanatClient
import AmanatJSON
import Foundation
import Testing

/// No plaintext of a sealed field on the intake host: not in the database, its WAL or SHM, nor in
/// anything the daemon prints, whether the submission is accepted or refused.
@Suite("no plaintext at rest")
struct LeakTests {
    /// A testimony with a distinct marker in every sealed field, sub-fields of relatives included.
    static func markedTestimony(_ marker: String) -> (body: JSONValue, markers: [String]) {
        var markers: [String] = []
        func mark(_ name: String) -> JSONValue {
            let value = "\(marker)-\(name)"
            markers.append(value)
            return .string(value)
        }
        let relative: JSONValue = .object([
            "name": mark("relative-name"), "relation": .string("brother"), "location": mark("relative-location"),
            "status": .string("detained_camp"), "notes": mark("relative-notes"),
        ])
        let fields: [String: JSONValue] = [
            "full_name": mark("full_name"), "other_names": mark("other_names"), "birth_date": .string("1970-01-01"),
            "contact": mark("contact"), "current_city": mark("current_city"), "origin_place": mark("origin_place"),
            "id_documents": mark("id_documents"), "relatives": .array([relative]),
            "narrative": mark("narrative"), "detention_places": mark("detention_places"),
            "events_period": mark("events_period"), "perpetrators": mark("perpetrators"),
            "evidence_notes": mark("evidence_notes"),
            "language": .string("kk"), "region": .string("ili"), "violation_types": .array([.string("torture")]),
            "consent": .string("archive_only"),
        ]
        return (.object(["form": .string("testimony"), "fields": .object(fields)]), markers)
    }

    /// The byte forms a marker could take on disk: UTF-8, UTF-16 in both byte orders, and base64 at each of
    /// the three alignments a marker can have inside a longer base64 text.
    static func encodings(of marker: String) -> [[UInt8]] {
        let utf16LE = marker.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let utf16BE = marker.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        var forms = [Array(marker.utf8), utf16LE, utf16BE]
        for offset in 0..<3 {
            // Encode the marker behind `offset` filler bytes; keep only the characters that depend on it alone.
            let encoded = Array(Data(Array(repeating: 0, count: offset) + Array(marker.utf8)).base64EncodedString().utf8)
            let skip = [0, 2, 3][offset]
            let usable = (marker.utf8.count - (3 - offset) % 3) / 3 * 4
            if usable > 4 { forms.append(Array(encoded[skip..<min(encoded.count, skip + usable)])) }
        }
        return forms
    }

    static func leaks(_ markers: [String], in files: [String]) -> [String] {
        var found: [String] = []
        for file in files {
            let bytes = contents(file)
            for marker in markers where encodings(of: marker).contains(where: { bytes.contains(bytes: $0) }) {
                found.append("\(marker) in \(file)")
            }
        }
        return found
    }

    @Test("markers in every sealed field appear nowhere on the intake host, yet open offline")
    func noMarkerOnDisk() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--log-level", "trace"])
        let marker = "MRK\(UInt64.random(in: 1_000_000...9_999_999))"
        let (body, markers) = Self.markedTestimony(marker)
        let accepted = try await daemon.amanat(["submit", "-"], stdin: body.canonicalBytes())
        #expect(accepted.status == 0, "\(accepted.stderr)")

        // Refused submissions carrying markers: none of them may surface in an error or a log line.
        guard case .object(var top) = body, case .object(var fields)? = top["fields"] else { return }
        var refusals: [JSONValue] = []
        fields["\(marker)-unknown"] = .string("\(marker)-unknown-value")
        top["fields"] = .object(fields)
        refusals.append(.object(top))
        fields.removeValue(forKey: "\(marker)-unknown")
        fields["full_name"] = .string(String(repeating: "\(marker)-long ", count: 100))
        top["fields"] = .object(fields)
        refusals.append(.object(top))
        fields["full_name"] = .string("\(marker)-line\nbreak")
        top["fields"] = .object(fields)
        refusals.append(.object(top))
        fields["language"] = .string("\(marker)-enum")
        top["fields"] = .object(fields)
        refusals.append(.object(top))
        refusals.append(.object(["form": .string("\(marker)-form"), "fields": .object([:])]))
        var errorTexts = ""
        for refusal in refusals {
            let outcome = try await daemon.amanat(["submit", "--json", "-"], stdin: refusal.canonicalBytes())
            #expect(outcome.status == 3, "a marked testimony must be refused")
            errorTexts += outcome.stderr + outcome.stdoutText
        }
        #expect(!errorTexts.contains(marker), "an error text echoed submitted content")

        // While running: the database, WAL and SHM.
        let files = [daemon.databasePath, daemon.databasePath + "-wal", daemon.databasePath + "-shm"]
        #expect(FileManager.default.fileExists(atPath: daemon.databasePath + "-wal"))
        #expect(Self.leaks(markers + ["\(marker)-unknown", "\(marker)-long", "\(marker)-enum"], in: files).isEmpty)
        #expect(await daemon.stop() == 0)

        // After the stop: every file in the state directory and everything the daemon printed.
        let everything = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { !$0.hasSuffix(".pass") && !$0.hasSuffix(".key") }
            .map(directory.file)
        #expect(Self.leaks(markers, in: everything) == [])
        #expect(!daemon.output.contains(marker))
        // Log lines carry journald's exact time: a record id there would date the record to the second.
        let recordID = try #require(accepted.stdoutLines.first)
        #expect(!daemon.output.contains(recordID))
        #expect(daemon.output.contains("level=trace") || daemon.output.contains("level=debug"),
                "the scan must cover the most verbose logs")

        // The markers are really in the sealed sections: the scan above looked for something that exists.
        let opened = try await key.open(daemon.databasePath)
        #expect(opened.status == 0)
        for value in markers {
            #expect(opened.stdoutText.contains(value), "\(value) was not stored")
        }
    }
}

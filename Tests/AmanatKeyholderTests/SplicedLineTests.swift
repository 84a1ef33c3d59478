import AmanatArchive
import AmanatFormat
import AmanatForms
import AmanatJSON
import AmanatReports
import AmanatStore
@testable import amanat_keyholder
import Testing

/// `open` writes a record whose sections are canonical JSON by copying their members (CanonicalSplice.swift);
/// the line must be the one parsing and encoding gives, byte for byte, and every other record must go that way.
@Suite("key holder: spliced lines") struct SplicedLineTests {

    /// Seeded (xorshift64), so that a failing case can be repeated.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    static let values: [JSONValue] = [
        .string("Алматы"), .string("e\u{301}"), .string("line\nbreak \"quoted\""), .number("-1.5e3"), .null,
        .bool(true), .array([.string("维吾尔"), .object(["b": .number("1"), "a": .array([])])]), .object([:]),
    ]
    static let names = ["name", "surname", "relatives", "Қала", "e\u{301}", "a\"b", "narrative", "date"]

    static func object(_ generator: inout SeededGenerator) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...5, using: &generator) {
            object[names.randomElement(using: &generator)!] = values.randomElement(using: &generator)!
        }
        return object
    }

    static func record(clear: [UInt8], withdrawn: Bool = false) -> StoredRecord {
        var record = StoredRecord(
            recordID: RecordID(bytes: Array(0..<16))!, formID: "testimony-ü", formVersion: 3, received: "2026-11-29",
            clearJSON: String(decoding: clear, as: UTF8.self), identityEnvelope: [1], testimonyEnvelope: [2]
        )
        record.withdrawn = withdrawn
        return record
    }

    /// The line the parse-and-encode way writes.
    static func slowLine(_ record: StoredRecord, _ sections: OpenedSections, requested: [Section]) -> [UInt8] {
        var tally = Tally()
        let (opened, _) = KeyHolder.Open.opened(record, sections: sections, requested: requested, tally: &tally)
        return JSONLinesOutput.line(for: opened)
    }

    @Test("the spliced line equals the encoded one, for sections merged with names in common")
    func sameBytes() {
        var generator = SeededGenerator(state: 21)
        var spliced = 0
        for _ in 0..<2000 {
            let objects = (0..<3).map { _ in Self.object(&generator) }
            let parts = objects.map { JSONValue.object($0).canonicalBytes() }
            let record = Self.record(clear: parts[0])
            let requested = Bool.random(using: &generator) ? Section.sealed : [.testimony]
            let sections: OpenedSections = requested.map { ($0, .success($0 == .identity ? parts[1] : parts[2])) }
            let slow = Self.slowLine(record, sections, requested: requested)
            // The only name here the splice leaves to the parser is one with an escape.
            let used = [0] + requested.map { $0 == .identity ? 1 : 2 }
            let escapedName = used.contains { objects[$0].keys.contains("a\"b") }
            guard let line = JSONLinesOutput.splicedLine(for: record, sections: sections) else {
                #expect(escapedName, "refused \(String(decoding: slow, as: UTF8.self))")
                continue
            }
            #expect(!escapedName)
            var tally = Tally()
            let (opened, _) = KeyHolder.Open.opened(record, sections: sections, requested: requested, tally: &tally)
            #expect(CSVOutput.splicedFieldNames(for: record, sections: sections) == CSVColumns.names(of: opened))
            spliced += 1
            #expect(line == slow, "\(String(decoding: line, as: UTF8.self)) != \(String(decoding: slow, as: UTF8.self))")
        }
        #expect(spliced > 200, "the common case is spliced: \(spliced) of 2000")
    }

    @Test("a withdrawn record, a section that did not open or is not canonical, unreadable clear fields: not spliced")
    func otherRecordsTakeTheSlowWay() {
        let canonical = Array(#"{"name":"Айгүл"}"#.utf8)
        let good: OpenedSections = [(.identity, .success(canonical)), (.testimony, .success(Array(#"{"narrative":"x"}"#.utf8)))]
        #expect(JSONLinesOutput.splicedLine(for: Self.record(clear: Array("{}".utf8)), sections: good) != nil)
        #expect(JSONLinesOutput.splicedLine(for: Self.record(clear: Array("{}".utf8), withdrawn: true), sections: []) == nil)
        for sections: OpenedSections in [
            [(.identity, .success(canonical)), (.testimony, .failure(.noKey("not openable with these keys")))],
            [(.identity, .failure(.tampered("tampered: authentication failed"))), (.testimony, .success(canonical))],
            [(.identity, .success(Array(#"{"name": "x"}"#.utf8))), (.testimony, .success(canonical))],
            [(.identity, .success(Array(#"["name"]"#.utf8))), (.testimony, .success(canonical))],
        ] {
            #expect(JSONLinesOutput.splicedLine(for: Self.record(clear: Array("{}".utf8)), sections: sections) == nil)
        }
        #expect(JSONLinesOutput.splicedLine(for: Self.record(clear: Array("not json".utf8)), sections: good) == nil)
        // Valid JSON that is not as amanatd writes it, or text the quick check leaves to the normaliser: the
        // slow way, which writes it canonically.
        for text in [#"{"name":"😀"}"#, "{\"name\":\"e\u{301}\"}", #"{"b":1,"a":2}"#, #"{"a":"\u00e9"}"#] {
            let sections: OpenedSections = [(.identity, .success(Array(text.utf8))), (.testimony, .success(canonical))]
            #expect(JSONLinesOutput.splicedLine(for: Self.record(clear: Array("{}".utf8)), sections: sections) == nil)
            let slow = String(decoding: Self.slowLine(Self.record(clear: Array("{}".utf8)), sections, requested: Section.sealed), as: UTF8.self)
            #expect(slow.contains(#""fields":{"#) && !slow.contains("unopened"), "\(slow)")
        }
    }
}

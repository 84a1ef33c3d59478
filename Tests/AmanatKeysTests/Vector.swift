import Foundation
import Testing

/// One scenario file from Tests/Vectors/<kind>/ (the format is described in Tests/Vectors/README.md).
///
/// `name: value` header lines up to the first empty line or the end of the file; anything after that
/// empty line is the body, kept as exact bytes.
struct Vector: Sendable, CustomTestStringConvertible {
    /// The vector kinds, one directory each.
    static let kinds = ["envelope", "keyfile", "pubkey"]

    let kind: String
    let name: String
    let fields: [String: String]
    let body: [UInt8]
    /// Set when the file itself is malformed, so that the test reports it instead of loading silently.
    let problem: String?

    var testDescription: String { "\(kind)/\(name)" }

    /// The `expect:` value.
    var expect: String { fields["expect"] ?? "" }

    /// The value of a header field that the vector must have.
    func field(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(fields[key], "\(testDescription) has no \(key): line", sourceLocation: sourceLocation)
    }

    /// Tests/Vectors/, found from this file's path so that it works from any working directory.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Vectors")

    /// The `*.txt` files of one kind, sorted by name. Empty when the directory is missing: the
    /// non-empty check in VectorTests then fails, so a parameterised test never passes on zero cases.
    static func load(_ kind: String) -> [Vector] {
        let directory = root.appendingPathComponent(kind)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { $0.hasSuffix(".txt") }.sorted().map { file in
            let name = String(file.dropLast(4))
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else {
                return Vector(kind: kind, name: name, fields: [:], body: [], problem: "unreadable")
            }
            return parse([UInt8](data), kind: kind, name: name)
        }
    }

    static func parse(_ bytes: [UInt8], kind: String, name: String) -> Vector {
        let newline = UInt8(ascii: "\n")
        var headerEnd = bytes.count
        var body: [UInt8] = []
        for index in bytes.indices.dropLast() where bytes[index] == newline && bytes[index + 1] == newline {
            headerEnd = index + 1
            body = Array(bytes[(index + 2)...])
            break
        }
        var fields: [String: String] = [:]
        var problem: String?
        for line in bytes[..<headerEnd].split(separator: newline) {
            let text = String(decoding: line, as: UTF8.self)
            guard let separator = text.range(of: ": ") else {
                problem = "header line without ': ': \(text.prefix(40))"
                continue
            }
            let key = String(text[..<separator.lowerBound])
            if fields[key] != nil { problem = "duplicate field \(key)" }
            fields[key] = String(text[separator.upperBound...])
        }
        if fields["expect"] == nil { problem = "no expect: line" }
        return Vector(kind: kind, name: name, fields: fields, body: body, problem: problem)
    }
}

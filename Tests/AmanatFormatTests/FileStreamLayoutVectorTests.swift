import AmanatFormat
import Foundation
import Testing

/// `FileStreamLayout` against Tests/Vectors/padme.txt: Padmé sizes, chunk counts and stored sizes for 45 file sizes
/// from 0 to 2^50, computed independently in Python from FORMAT.md sections 13.2 and 13.3 (Tests/Vectors/stream.py).
@Suite struct FileStreamLayoutVectorTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let plain, padded, chunks, stored: UInt64
        var testDescription: String { "P = \(plain)" }
    }

    static let rows: [Row] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors/padme.txt").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let numbers = line.split(separator: " ").compactMap { UInt64($0) }
            guard numbers.count == 4 else { return nil }
            return Row(plain: numbers[0], padded: numbers[1], chunks: numbers[2], stored: numbers[3])
        }
    }()

    @Test func theTableIsThere() {
        #expect(Self.rows.count == 45, "Tests/Vectors/padme.txt is missing or malformed")
    }

    @Test(arguments: rows)
    func sizesMatchTheVector(_ row: Row) {
        #expect(FileStreamLayout.paddedSize(plainSize: row.plain) == row.padded)
        #expect(FileStreamLayout.chunkCount(paddedSize: row.padded) == row.chunks)
        #expect(FileStreamLayout.storedSize(plainSize: row.plain) == row.stored)
    }
}

import Foundation
import Testing

/// `amanat-bench` with tiny durations and sizes: it must run the real binaries end to end and report in the
/// documented shape. Nothing here depends on speed.
@Suite struct BenchSmokeTests {
    @Test func reportsEveryClientCountAndKeepsTheRestOfTheResultsFile() async throws {
        let directory = try TempDir()
        let results = try directory.write(
            "BENCHMARKS.md", "# Benchmarks\n\nkeep me\n\n<!-- amanat-bench:begin -->\nold results\n<!-- amanat-bench:end -->\n"
        )
        let outcome = try await run(
            Paths.binary("amanat-bench"),
            [
                "--bin", Paths.binaries, "--seconds", "0.3", "--clients", "1,2", "--records", "40",
                "--limit-seconds", "0.1", "--example", Paths.example("testimony.json"), "--forms", Paths.forms,
                "--output", results, "--command", "bench smoke test", "--evidence-mib", "4",
            ]
        )
        #expect(outcome.status == 0, "\(outcome.stdoutText)\n\(outcome.stderr)")
        let lines = outcome.stdoutLines
        // Each client count with per-request connections and with kept-alive ones.
        for mode in ["per request", "keep-alive"] {
            #expect(lines.contains { $0.hasPrefix("C=1 (\(mode)): ") && $0.contains("testimonies/s") && $0.contains("ratio = ") })
            #expect(lines.contains { $0.hasPrefix("C=2 (\(mode)): ") && $0.contains("p99.9") })
            #expect(lines.first { $0.hasPrefix("summary: intake ") }?.contains("(\(mode))") == true)
        }
        #expect(lines.contains { $0.hasPrefix("key holder: 40 records") && $0.contains("ratio = ") })
        let summary = lines.first { $0.hasPrefix("summary: intake ") }
        #expect(summary?.contains("key holder") == true)
        // The evidence part, at 4 MiB: an upload, the concurrent ones and the key holder's extraction, each with its
        // figures, and its own section in the results file.
        #expect(lines.contains {
            $0.hasPrefix("evidence: 4 MiB upload ") && $0.contains("ratio") && $0.contains("cores could move")
        })
        #expect(lines.contains { $0.hasPrefix("evidence: the same upload beside text intake ") && $0.contains("p99") })
        #expect(lines.contains { $0.hasPrefix("evidence: 8 concurrent ") })
        #expect(lines.contains { $0.hasPrefix("evidence: key holder extracted ") })
        #expect(lines.last?.hasPrefix("evidence: 4 MiB upload ") == true)

        let text = String(decoding: contents(results), as: UTF8.self)
        #expect(text.contains("keep me"))
        #expect(text.contains("<!-- amanat-bench:evidence:begin -->\n## Evidence files (issue 15)"))
        #expect(text.contains("### Where the upload's time goes") && text.contains("the CPU ceiling of this machine"))
        #expect(!text.contains("old results"))
        #expect(text.contains("**Command:** `bench smoke test`"))
        #expect(text.contains("\n| 1 | per request | ") && text.contains("\n| 2 | per request | "))
        #expect(text.contains("\n| 1 | keep-alive | ") && text.contains("\n| 2 | keep-alive | "))
        #expect(text.contains("\n| 40 | "))
        // The informational protocol crypto limit, beside the issue's: a column with a measured rate in every row.
        #expect(lines.contains { $0.hasPrefix("C=1 (per request): ") && $0.contains("protocol crypto limit ") })
        let intakeRows = Self.tableRows(text, header: "| clients | connections |")
        #expect(intakeRows.count == 4)
        for row in intakeRows {
            let limit = row["protocol crypto limit/s"].flatMap(Double.init)
            #expect(limit.map { $0 > 0 } == true, "\(row)")
            // protocol ratio = testimonies/s ÷ that limit (rounded in the table; may be 0.00 on a slow machine).
            if let limit, let ratio = row["protocol ratio"].flatMap(Double.init),
                let throughput = row["testimonies/s"].flatMap(Double.init)
            {
                #expect(abs(ratio - throughput / limit) <= 0.01, "\(row)")
            } else {
                Issue.record("no protocol ratio or testimonies/s: \(row)")
            }
            let cpu = row["protocol crypto CPU ms/testimony"].flatMap(Double.init)
            #expect(cpu.map { $0 > 0 } == true, "\(row)")
        }
        #expect(text.components(separatedBy: "<!-- amanat-bench:begin -->").count == 2)
    }

    /// The rows of the Markdown table whose header line starts with `header`, each as column name → cell.
    static func tableRows(_ text: String, header: String) -> [[String: String]] {
        func cells(_ line: Substring) -> [String] {
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let lines = text.split(separator: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix(header) }) else { return [] }
        let names = cells(lines[start])
        return lines.dropFirst(start + 2).prefix { $0.hasPrefix("|") }.map { line in
            Dictionary(zip(names, cells(line)), uniquingKeysWith: { first, _ in first })
        }
    }
}

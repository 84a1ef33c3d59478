import Foundation

/// Issue 15's figures as their own Markdown section of BENCHMARKS.md.
struct EvidenceReport {
    static let beginMarker = "<!-- amanat-bench:evidence:begin -->"
    static let endMarker = "<!-- amanat-bench:evidence:end -->"

    var date: Date
    var command: String
    var results: EvidenceBench.Results

    var summary: String {
        String(
            format: "evidence: %.0f MiB upload %.0f MB/s (ratio %.2f), amanatd peak %.1f MiB (%.1f MiB with %d concurrent), "
                + "amanat %.1f MiB; key holder %.0f MB/s (ratio %.2f), %.1f MiB; text p99 %.1f ms during the upload",
            mib(results.single.bytes), results.single.bytesPerSecond / 1e6, results.uploadRatio, mib(results.single.daemonPeakRSS),
            mib(results.concurrent.daemonPeakRSS), results.concurrentCount, mib(results.single.clientPeakRSS),
            results.extraction.bytesPerSecond / 1e6, results.extractionRatio, mib(results.extraction.clientPeakRSS),
            results.textDuringUpload.percentile(0.99)
        )
    }

    var markdown: String {
        let r = results
        func mbps(_ value: Double) -> String { String(format: "%.0f MB/s", value / 1e6) }
        func ratio(_ value: Double) -> String { String(format: "%.2f", value) }
        func rss(_ bytes: Int) -> String { String(format: "%.1f MiB", mib(bytes)) }
        let stamp = ISO8601DateFormatter().string(from: date)
        return """
            ## Evidence files (issue 15)

            Measured \(stamp) by `\(command)`: release binaries, a temporary socket and database on the same disk as
            the limits below, two key holders. Files are 1 MiB of random bytes repeated.

            ### Limits measured in this run

            | what | throughput |
            |---|---|
            | secretstream push (encrypt), one core, per CPU second | \(mbps(r.encryption.bytesPerCPUSecond)) |
            | secretstream pull (decrypt), one core, per CPU second | \(mbps(r.decryption.bytesPerCPUSecond)) |
            | SHA-256 (swift-crypto), one core, per CPU second | \(mbps(r.sha256.bytesPerCPUSecond)) |
            | as many bytes as the large upload, written in 1 MiB pieces, fsync every 64 MiB and at the end (before the uploads) | \(mbps(r.diskWrite.bytesPerSecond)) |
            | the same after the uploads, before the extraction | \(mbps(r.extractionDiskWrite.bytesPerSecond)) |
            | a quarter of that as a file beside the database (fsync every 64 MiB) | \(mbps(r.fileStorage.bytesPerSecond)) |
            | the same as 1 MiB SQLite rows (WAL, synchronous=FULL, a commit per 64 MiB, then a TRUNCATE checkpoint) | \(mbps(r.sqliteStorage.bytesPerSecond)) |

            ### Against the targets

            | target | measured | limit | ratio | goal |
            |---|---|---|---|---|
            | \(Int(mib(r.single.bytes))) MiB upload through `amanat` | \(mbps(r.single.bytesPerSecond)) (\(String(format: "%.1f", r.single.seconds)) s) | \(mbps(r.uploadLimit)) | \(ratio(r.uploadRatio)) | ≥ 0.70 |
            | amanatd peak RSS, that upload | \(rss(r.single.daemonPeakRSS)) | | | ≤ 64 MiB |
            | amanatd peak RSS, \(r.concurrentCount) concurrent uploads of a quarter of that | \(rss(r.concurrent.daemonPeakRSS)) | | | ≤ 64 MiB |
            | amanat peak RSS (1 GiB; largest of the concurrent ones) | \(rss(r.single.clientPeakRSS)); \(rss(r.concurrent.clientPeakRSS)) | | | ≤ 32 MiB |
            | key holder extraction of every file of the export (\(Int(mib(r.extraction.bytes))) MiB) | \(mbps(r.extraction.bytesPerSecond)) (\(String(format: "%.1f", r.extraction.seconds)) s, unlock included) | \(mbps(r.extractionLimit)) | \(ratio(r.extractionRatio)) | ≥ 0.70 |
            | key holder peak RSS after unlocking | \(rss(r.extraction.clientPeakRSS)) | | | ≤ 128 MiB |
            | text submissions during the 1 GiB upload (1 client) | \(r.textDuringUpload.created) stored, p99 \(String(format: "%.1f", r.textDuringUpload.percentile(0.99))) ms | | | p99 ≤ 30 ms |

            The upload limit is the smaller of one core's secretstream encryption and the disk's sequential write +
            fsync, as issue 15 defines it; the extraction limit the smaller of one core's decryption and the disk.

            """
    }

    func write(to path: String) throws {
        try writeSection(markdown, begin: Self.beginMarker, end: Self.endMarker, to: path, command: command)
    }
}

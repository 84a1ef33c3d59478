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
        func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }
        let bytes = Double(r.single.bytes)
        let clientFloor = bytes / r.sha256.bytesPerCPUSecond + bytes / r.encryption.bytesPerCPUSecond
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
            | key holder extraction of every file of the export (\(Int(mib(r.extraction.bytes))) MiB), from the first file written to the end | \(mbps(r.extraction.bytesPerSecond)) (\(String(format: "%.1f", r.extraction.seconds)) s; the whole `open`, with unlocking and verification, \(String(format: "%.1f", r.extraction.wholeSeconds)) s) | \(mbps(r.extractionLimit)) | \(ratio(r.extractionRatio)) | ≥ 0.70 |
            | key holder peak RSS after unlocking | \(rss(r.extraction.clientPeakRSS)) | | | ≤ 128 MiB |
            | text submissions during a second 1 GiB upload (1 client; that upload \(mbps(r.withText.bytesPerSecond))) | \(r.textDuringUpload.created) stored, p99 \(String(format: "%.1f", r.textDuringUpload.percentile(0.99))) ms | | | p99 ≤ 30 ms |

            The upload limit is the smaller of one core's secretstream encryption and the disk's sequential write +
            fsync, as issue 15 defines it; the extraction limit the smaller of one core's decryption and the disk.

            ### Where the upload's time goes

            An upload is CPU work in two processes on \(r.cores) cores, not one core's encryption alone. `amanat` reads
            the file, hashes it (SHA-256 of the original bytes, for the chain of custody), encrypts it and sends it;
            amanatd receives it, hashes the ciphertext (SHA-256, for the ledger: it cannot take the client's word),
            writes and fsyncs it. CPU seconds of the \(Int(mib(r.single.bytes))) MiB upload, from each process's own
            accounting:

            | process | CPU seconds | of which the crypto floor (this run's limits) |
            |---|---|---|
            | `amanat` | \(seconds(r.single.clientCPUSeconds)) | \(seconds(clientFloor)): SHA-256 \(seconds(bytes / r.sha256.bytesPerCPUSecond)) + encryption \(seconds(bytes / r.encryption.bytesPerCPUSecond)) |
            | amanatd | \(seconds(r.single.daemonCPUSeconds)) | \(seconds(bytes / r.sha256.bytesPerCPUSecond)): SHA-256 |
            | both | \(seconds(r.single.clientCPUSeconds + r.single.daemonCPUSeconds)) | \(seconds(clientFloor + bytes / r.sha256.bytesPerCPUSecond)) |

            The rest is the kernel's copies (file to `amanat`, `amanat` to the socket, the socket to amanatd, amanatd to
            the page cache) and the writeback. If the \(r.cores) cores did nothing else, that work would move
            \(mbps(r.single.cpuCeiling(cores: r.cores))): the CPU ceiling of this machine for an upload, \(ratio(r.single.cpuCeiling(cores: r.cores) / r.uploadLimit)) of the limit
            above; the upload reached \(ratio(r.single.bytesPerSecond / r.single.cpuCeiling(cores: r.cores))) of that ceiling.

            """
    }

    func write(to path: String) throws {
        try writeSection(markdown, begin: Self.beginMarker, end: Self.endMarker, to: path, command: command)
    }
}

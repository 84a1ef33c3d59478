import Foundation

/// The results as a Markdown section of BENCHMARKS.md, and as lines on the terminal.
struct Report {
    static let beginMarker = "<!-- amanat-bench:begin -->"
    static let endMarker = "<!-- amanat-bench:end -->"

    struct IntakeRow {
        var result: IntakeLoad.Result
        /// Testimonies per second the crypto allows: crypto_box_seal per second on all cores / 4.
        var cryptoLimit: Double
        /// CPU seconds the four seals of one testimony take.
        var cryptoCPUPerTestimony: Double
        /// Informational, not the limit: testimonies per second when every core does only the
        /// cryptography amanatd does per testimony (MachineLimits.protocolCryptoPerSecond).
        var protocolCryptoLimit: Double
        /// CPU seconds that cryptography takes for one testimony.
        var protocolCryptoCPUPerTestimony: Double
        /// Rows per second SQLite takes in transactions of `clients` rows.
        var storageLimit: Double
        var daemonCPUSeconds: Double
        /// CPU used by the benchmark process meanwhile: the clients, on the same cores.
        var clientCPUSeconds: Double
        var daemonPeakRSS: Int

        var limit: Double { min(cryptoLimit, storageLimit) }
        var ratio: Double { result.throughput / limit }
        /// Throughput against the protocol crypto limit; extra, beside the ratio.
        var protocolRatio: Double { result.throughput / protocolCryptoLimit }
        /// The share of amanatd's CPU time that is the protocol's cryptography.
        var protocolCPURatio: Double { protocolCryptoCPUPerTestimony / daemonCPUPerTestimony }
        /// amanatd's CPU seconds per acknowledged testimony.
        var daemonCPUPerTestimony: Double { daemonCPUSeconds / Double(max(1, result.acknowledged)) }
        /// The share of amanatd's CPU time that is the seals themselves: the ratio it would reach with every
        /// core to itself, whatever else runs on the machine.
        var cpuRatio: Double { cryptoCPUPerTestimony / daemonCPUPerTestimony }

        var line: String {
            let failures = result.failures.isEmpty
                ? "" : "; failures " + result.failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
                    .joined(separator: ", ")
            return "C=\(result.clients) (\(result.connections.rawValue))" + String(
                format: ": %.0f testimonies/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms; crypto limit %.0f/s, "
                    + "storage limit %.0f/s; ratio = %.2f; protocol crypto limit %.0f/s, protocol ratio %.2f; "
                    + "amanatd %.1f CPU s (%.2f ms/testimony, seals %.2f ms: CPU ratio %.2f, "
                    + "protocol crypto %.2f ms: protocol CPU ratio %.2f), peak RSS %.1f MiB; clients %.1f CPU s",
                result.throughput, result.percentile(0.5),
                result.percentile(0.99), result.percentile(0.999), cryptoLimit, storageLimit, ratio,
                protocolCryptoLimit, protocolRatio, daemonCPUSeconds,
                daemonCPUPerTestimony * 1000, cryptoCPUPerTestimony * 1000, cpuRatio,
                protocolCryptoCPUPerTestimony * 1000, protocolCPURatio, mib(daemonPeakRSS), clientCPUSeconds
            ) + failures
        }
    }

    struct KeyHolderRow {
        var result: KeyHolderRun.Result
        /// Records per second the crypto allows: crypto_box_seal_open per second on all cores / opens per record.
        var limit: Double
        /// CPU seconds the opens of one record take.
        var cryptoCPUPerRecord: Double

        var ratio: Double { result.recordsPerSecond / limit }
        var cpuPerRecord: Double { result.cpuSeconds / Double(max(1, result.records)) }
        var cpuRatio: Double { cryptoCPUPerRecord / cpuPerRecord }
        var coresUsed: Double { result.cpuSeconds / result.totalSeconds }
        /// The same three while records stream (the part records/s counts), without the unlock and verification.
        var streamingCoresUsed: Double? { result.streamingCPUSeconds.map { $0 / result.streamingSeconds } }
        var streamingCPUPerRecord: Double? { result.streamingCPUSeconds.map { $0 / Double(max(1, result.records)) } }
        var streamingCPURatio: Double? { streamingCPUPerRecord.map { cryptoCPUPerRecord / $0 } }

        var line: String {
            String(
                format: "key holder: %d records in %.1f s (%.1f s streaming): %.0f records/s; limit %.0f/s; "
                    + "ratio = %.2f; %.2f cores used, %.3f CPU ms/record (opens %.3f ms: CPU ratio %.2f); peak RSS %.1f MiB (",
                result.records, result.totalSeconds, result.streamingSeconds, result.recordsPerSecond, limit, ratio,
                coresUsed, cpuPerRecord * 1000, cryptoCPUPerRecord * 1000, cpuRatio, mib(result.peakRSS)
            ) + (result.streamingPeakRSS.map { String(format: "%.1f MiB", mib($0)) } ?? "n/a") + " while streaming)"
                + streamingLine
        }

        /// "; streaming: … cores, … CPU ms/record, CPU ratio …", when the CPU time at the first record is known.
        var streamingLine: String {
            guard let cores = streamingCoresUsed, let perRecord = streamingCPUPerRecord, let ratio = streamingCPURatio
            else { return "" }
            return String(format: "; streaming: %.2f cores, %.3f CPU ms/record, CPU ratio %.2f", cores, perRecord * 1000, ratio)
        }
    }

    var date: Date
    var command: String
    var seconds: Double
    var limitSeconds: Double
    var workload: Workload
    var intake: [IntakeRow]
    var keyHolder: KeyHolderRow

    /// The one-line summary printed last.
    var summary: String {
        // The targets are stated at 32 clients; the largest count up to 32 stands in for a shorter list.
        // One part per connection mode, per-request connections (as `amanat submit`) first.
        let modes = [IntakeLoad.Connections.perRequest, .keepAlive].filter { mode in
            intake.contains { $0.result.connections == mode }
        }
        let parts = modes.map { mode in
            let rows = intake.filter { $0.result.connections == mode }
            let reference = rows.last { $0.result.clients <= 32 } ?? rows[0]
            let single = rows.first { $0.result.clients == 1 }
            return String(
                format: "%.0f testimonies/s at %d clients (ratio %.2f), p99 %.1f ms",
                reference.result.throughput, reference.result.clients, reference.ratio, reference.result.percentile(0.99)
            ) + (single.map { String(format: ", p50 %.2f ms at 1 client", $0.result.percentile(0.5)) } ?? "")
            + " (\(mode.rawValue))"
        }
        let intakePart = "summary: intake " + parts.joined(separator: "; ")
        let singlePart = ""
        let rest = String(
            format: "; amanatd peak RSS %.1f MiB; key holder %.0f records/s (ratio %.2f), peak RSS %.1f MiB (",
            mib(intake.map(\.daemonPeakRSS).max() ?? 0), keyHolder.result.recordsPerSecond, keyHolder.ratio,
            mib(keyHolder.result.peakRSS)
        )
        let streaming = keyHolder.result.streamingPeakRSS.map { String(format: "%.1f MiB", mib($0)) } ?? "n/a"
        return intakePart + singlePart + rest + streaming + " streaming)"
    }

    var markdown: String {
        let day = ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        var out = """
            ## Latest run

            - **Date:** \(day)
            - **Machine:** \(ProcStats.cores) cores, \(ProcStats.cpuModel), Linux \(ProcStats.kernel)
            - **Command:** `\(command)` (\(format(seconds)) s per client count, \(format(limitSeconds)) s per limit \
            measurement)
            - **Workload:** examples/testimony.json, \(workload.body.count) bytes: a narrative of \
            \(workload.narrativeBytes) bytes, \(workload.identityFields) identity fields, \(workload.relatives) \
            relatives. Two recipients per sealed section: 4 seals per testimony, on plaintexts padded to \
            \(workload.paddedSectionSizes.map(String.init).joined(separator: " and ")) bytes.

            ### Intake

            | clients | connections | testimonies/s | p50 ms | p99 ms | p99.9 ms | crypto limit/s | protocol crypto limit/s | storage limit/s | ratio | protocol ratio | amanatd CPU s | amanatd CPU ms/testimony | seals CPU ms/testimony | protocol crypto CPU ms/testimony | CPU ratio | amanatd peak RSS MiB | clients CPU s | other answers |
            |---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|

            """
        for row in intake {
            let r = row.result
            let failures = r.failures.isEmpty ? "none" : r.failures.sorted { $0.key < $1.key }
                .map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            out += "| \(r.clients) | \(r.connections.rawValue) " + String(
                format: "| %.0f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f | **%.2f** | %.2f | %.1f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f | ",
                r.throughput, r.percentile(0.5), r.percentile(0.99),
                r.percentile(0.999), row.cryptoLimit, row.protocolCryptoLimit,
                row.storageLimit, row.ratio, row.protocolRatio, row.daemonCPUSeconds, row.daemonCPUPerTestimony * 1000,
                row.cryptoCPUPerTestimony * 1000, row.protocolCryptoCPUPerTestimony * 1000, row.cpuRatio,
                mib(row.daemonPeakRSS), row.clientCPUSeconds
            ) + failures + " |\n"
        }
        let k = keyHolder.result
        out += """

            ratio = testimonies/s ÷ min(crypto limit, storage limit), counting 201 answers only (each is sent after \
            its transaction is durable). The crypto limit is crypto_box_seal operations per second with one thread \
            per core ÷ 4; the storage limit is rows per second into SQLite (WAL, synchronous=FULL, secure_delete) \
            in transactions of as many rows as there are clients, the most the group commit can see. Both are \
            measured just before each client count. The clients run in the benchmark process on the same cores. \
            connections: "per request" opens one connection per testimony, as `amanat submit` does; "keep-alive" \
            keeps one connection per client, as a web front end in front of amanatd would.
            CPU ratio = CPU time of the four seals ÷ amanatd's CPU time per testimony: the share of amanatd's work \
            that is the seals themselves, which does not depend on what else runs on a shared machine.
            Informational, beside the issue's limit and ratio: the protocol crypto limit is testimonies per second \
            with one thread per core doing all the cryptography amanatd does for one testimony, through the same \
            library calls and nothing else (no parsing, validation, HTTP or SQLite): both envelopes \
            (`Envelope.seal`: a fresh data key, XChaCha20-Poly1305 of the padded canonical JSON of the example's \
            section, one crypto_box_seal of the key per recipient), the withdrawal token and its keyed BLAKE2b, \
            the record's BLAKE2b ledger digest and its entry hash, and the Ed25519-signed receipt (not the signed checkpoint, one for many testimonies); measured just \
            before each client count like the others. protocol ratio = testimonies/s ÷ that limit; protocol \
            crypto CPU ms/testimony is its CPU time per testimony.

            ### Key holder

            | records | total s | streaming s | records/s | limit records/s | ratio | cores used | CPU ms/record | opens CPU ms/record | CPU ratio | streaming: cores used | streaming: CPU ms/record | streaming: CPU ratio | peak RSS MiB (whole run) | peak RSS MiB (streaming) |
            |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|

            """
        out += String(
            format: "| %d | %.1f | %.1f | %.0f | %.0f | **%.2f** | %.2f | %.3f | %.3f | %.2f | ",
            k.records, k.totalSeconds, k.streamingSeconds, k.recordsPerSecond, keyHolder.limit, keyHolder.ratio,
            keyHolder.coresUsed, keyHolder.cpuPerRecord * 1000, keyHolder.cryptoCPUPerRecord * 1000,
            keyHolder.cpuRatio
        ) + [
            keyHolder.streamingCoresUsed.map { String(format: "%.2f", $0) },
            keyHolder.streamingCPUPerRecord.map { String(format: "%.3f", $0 * 1000) },
            keyHolder.streamingCPURatio.map { String(format: "%.2f", $0) },
        ].map { ($0 ?? "n/a") + " | " }.joined() + String(format: "%.1f | ", mib(k.peakRSS)) + (k.streamingPeakRSS.map { String(format: "%.1f", mib($0)) } ?? "n/a") + " |\n"
        out += """

            `amanat-keyholder open` with one of the two keys, output read through a pipe. records/s counts the \
            streaming time, from the first record out (the key is unlocked by then) to the last; the total \
            includes unlocking the key file. The limit is crypto_box_seal_open operations per second with one \
            thread per core ÷ 2 (one open per sealed section); CPU ratio = CPU time of those opens ÷ the key holder's \
            CPU time per record (the whole run); the streaming columns count only the CPU time after the first \
            record came out (reading, re-checking, opening and writing records, without the unlock and the \
            verification before). The whole-run peak RSS includes unlocking the key \
            file (Argon2id at no less than libsodium's MODERATE limits, 256 MiB); the streaming peak is VmHWM reset \
            when the first record came out.

            """
        return out
    }

    /// Writes the results between the markers of an existing file, keeping the rest, or as a new file.
    func write(to path: String) throws {
        try writeSection(markdown, begin: Self.beginMarker, end: Self.endMarker, to: path, command: command)
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Writes `markdown` between the markers `begin` and `end` of an existing file, keeping the rest (appended when the
/// markers are missing), or as a new file.
func writeSection(_ markdown: String, begin beginMarker: String, end endMarker: String, to path: String, command: String) throws {
    let section = beginMarker + "\n" + markdown + endMarker + "\n"
    var text: String
    if let data = FileManager.default.contents(atPath: path) {
        text = String(decoding: data, as: UTF8.self)
        if let begin = text.range(of: beginMarker), let end = text.range(of: endMarker), begin.lowerBound < end.lowerBound {
            var endIndex = end.upperBound
            if endIndex < text.endIndex, text[endIndex] == "\n" { endIndex = text.index(after: endIndex) }
            text.replaceSubrange(begin.lowerBound..<endIndex, with: section)
        } else {
            text += "\n" + section
        }
    } else {
        text = "# Benchmarks\n\nReproduce with `\(command)`.\n\n" + section
    }
    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
}

func mib(_ bytes: Int) -> Double {
    Double(bytes) / 1_048_576
}

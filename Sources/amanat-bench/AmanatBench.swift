import AmanatCrypto
import AmanatArchive
import AmanatStore
import ArgumentParser
import Foundation
import Glibc

/// `make bench`: intake throughput and latency of the real amanatd, the key holder's open rate, and the
/// machine's limits for both, measured in one run and written to BENCHMARKS.md.
@main
struct AmanatBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amanat-bench",
        abstract: "Benchmark amanatd and amanat-keyholder against this machine's crypto and storage limits.",
        discussion: """
            Starts the amanatd in --bin on a temporary database with two recipients per sealed section, runs C
            concurrent clients submitting the example testimony for --seconds each, then times
            `amanat-keyholder open` on a generated archive. Results go to --output (between the markers
            \(Report.beginMarker) and \(Report.endMarker) when the file has them); the last line printed is a
            one-line summary. Exit codes: 0 done; 1 a component failed (not: was slow).
            """
    )

    @Option(help: "Directory of the release binaries (amanatd, amanat-keyholder).") var bin: String
    @Option(help: "Seconds per client count (default $BENCH_SECONDS or 10).") var seconds: Double?
    @Option(help: "Client counts, comma-separated.") var clients: String = "1,8,32,128"
    @Option(help: "How clients use connections: per-request (as `amanat submit`), keep-alive, or both, comma-separated.")
    var connections: String = "per-request,keep-alive"
    @Option(help: "Records in the key holder's archive (default $BENCH_RECORDS or 100000).") var records: Int?
    @Option(name: .customLong("limit-seconds"), help: "Seconds for each machine-limit measurement.")
    var limitSeconds: Double = 3
    @Option(help: "The example testimony to submit.") var example: String = "examples/testimony.json"
    @Option(help: "The forms directory.") var forms: String = "config/forms"
    @Option(help: "The results file.") var output: String = "BENCHMARKS.md"
    @Option(help: "What to measure: text (testimonies and the key holder), evidence (files), comma-separated.")
    var parts: String = "text,evidence"
    @Option(name: .customLong("evidence-mib"), help: "evidence: MiB of the large upload (the 8 concurrent ones are a quarter each).")
    var evidenceMiB: Int = 1024
    @Option(help: "The command to print in the results file as the way to reproduce them.")
    var command: String = "make bench"

    func validate() throws {
        guard !clientCounts.isEmpty, clientCounts.allSatisfy({ $0 >= 1 && $0 <= 1000 }) else {
            throw ValidationError("--clients takes counts from 1 to 1000, e.g. 1,8,32,128")
        }
        guard !connectionModes.isEmpty, connectionModes.count == connections.split(separator: ",").count else {
            throw ValidationError("--connections takes per-request, keep-alive or both, comma-separated")
        }
        guard benchSeconds > 0, limitSeconds > 0 else { throw ValidationError("durations must be positive") }
        guard archiveRecords >= 1 else { throw ValidationError("--records must be at least 1") }
        guard evidenceMiB >= 1 else { throw ValidationError("--evidence-mib must be at least 1") }
        guard !partList.isEmpty, partList.allSatisfy({ $0 == "text" || $0 == "evidence" }) else {
            throw ValidationError("--parts takes text, evidence or both, comma-separated")
        }
    }

    var partList: [Substring] { parts.split(separator: ",") }
    var clientCounts: [Int] { clients.split(separator: ",").compactMap { Int($0) } }
    var connectionModes: [IntakeLoad.Connections] {
        connections.split(separator: ",").compactMap { name -> IntakeLoad.Connections? in
            switch name {
            case "per-request": .perRequest
            case "keep-alive": .keepAlive
            default: nil
            }
        }
    }
    var benchSeconds: Double { seconds ?? ProcessInfo.processInfo.environment["BENCH_SECONDS"].flatMap(Double.init) ?? 10 }
    var archiveRecords: Int { records ?? ProcessInfo.processInfo.environment["BENCH_RECORDS"].flatMap(Int.init) ?? 100_000 }

    func run() async throws {
        do {
            try await runBenchmark()
        } catch {
            say("amanat-bench: error: \(error)")
            throw ExitCode(1)
        }
    }

    private func runBenchmark() async throws {
        try Sodium.initialise()
        let forms = absolute(self.forms)
        let workload = try Workload(example: absolute(example), forms: forms)
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        say("amanat-bench: \(ProcStats.cores) cores, \(ProcStats.cpuModel); working in \(directory)")
        say("example: \(workload.body.count) bytes, narrative \(workload.narrativeBytes) bytes, "
            + "\(workload.identityFields) identity fields, \(workload.relatives) relatives; padded sections "
            + workload.paddedSectionSizes.map(String.init).joined(separator: " and ") + " bytes")

        let keys = try (1...2).map { try makeKey(directory: directory, name: "holder\($0)") }
        let recipients = try keys.map { try RecipientPublicKey(text: $0.publicKey) }
        let envelopeSizes = try envelopeSizes(workload, recipients: recipients)

        if partList.contains("text") {
            try await runText(
                directory: directory, workload: workload, forms: forms, keys: keys, recipients: recipients,
                envelopeSizes: envelopeSizes
            )
        }
        if partList.contains("evidence") {
            let evidenceDirectory = directory + "/evidence"
            guard mkdir(evidenceDirectory, 0o700) == 0 else { throw BenchError("cannot make \(evidenceDirectory)") }
            let bench = EvidenceBench(
                bin: bin, directory: evidenceDirectory, forms: forms, example: absolute(example),
                testimonyBody: workload.body,
                key: EvidenceBench.Key(keyFile: keys[0].keyFile, passphraseFile: keys[0].passphraseFile,
                                       publicKey: keys[0].publicKey),
                recipients: keys.map(\.publicKey), bigBytes: evidenceMiB << 20, concurrentBytes: evidenceMiB << 18
            )
            let report = EvidenceReport(date: Date(), command: command, results: try bench.run())
            try report.write(to: output)
            say("wrote \(output)")
            say(report.summary)
        }
    }

    private func runText(
        directory: String, workload: Workload, forms: String, keys: [Key], recipients: [RecipientPublicKey],
        envelopeSizes: (Int, Int)
    ) async throws {
        // Intake.
        let daemon = try DaemonUnderTest(
            binary: bin + "/amanatd", directory: directory, forms: forms, recipients: keys.map(\.publicKey)
        )
        let load = IntakeLoad(socketPath: daemon.socketPath, body: workload.body)
        let warmUp = load.run(clients: 1, seconds: min(1, benchSeconds))
        guard warmUp.created > 0 else { throw BenchError("amanatd accepts no testimony: \(warmUp.failures)") }
        var acknowledged = warmUp.acknowledged
        var rows: [Report.IntakeRow] = []
        for count in clientCounts {
            let seals = try MachineLimits.sealsPerSecond(
                plaintextSizes: workload.paddedSectionSizes, seconds: limitSeconds
            )
            // Informational, beside the limit: all the cryptography of one testimony.
            let protocolCrypto = try MachineLimits.protocolCryptoPerSecond(
                workload: workload, recipients: recipients, seconds: limitSeconds
            )
            let storage = try MachineLimits.insertsPerSecond(
                directory: directory, batch: count, clearJSONBytes: workload.clear.count,
                envelopeBytes: envelopeSizes, seconds: limitSeconds
            )
            // Both connection modes against the same limits.
            for mode in connectionModes {
                ProcStats.resetPeakRSS(daemon.pid)
                let cpuBefore = ProcStats.cpuSeconds(daemon.pid) ?? 0
                let clientCPUBefore = ProcStats.ownCPUSeconds()
                let result = load.run(clients: count, seconds: benchSeconds, connections: mode)
                let cpu = (ProcStats.cpuSeconds(daemon.pid) ?? 0) - cpuBefore
                let clientCPU = ProcStats.ownCPUSeconds() - clientCPUBefore
                let row = Report.IntakeRow(
                    result: result, cryptoLimit: seals.perSecond / 4, cryptoCPUPerTestimony: 4 / seals.perCPUSecond,
                    protocolCryptoLimit: protocolCrypto.perSecond,
                    protocolCryptoCPUPerTestimony: 1 / protocolCrypto.perCPUSecond,
                    storageLimit: storage, daemonCPUSeconds: cpu,
                    clientCPUSeconds: clientCPU,
                    daemonPeakRSS: ProcStats.peakRSS(daemon.pid) ?? 0
                )
                acknowledged += result.acknowledged
                rows.append(row)
                say(row.line)
            }
        }
        let daemonExit = daemon.stop()
        guard daemonExit == 0 else { throw BenchError("amanatd exited with \(daemonExit); its log: \(daemon.logPath)") }
        // Every 201 must be in the database: an acknowledgement is a promise of durability.
        let stored = try RecordReader(path: daemon.databasePath).count()
        guard stored >= acknowledged else {
            throw BenchError("\(acknowledged) testimonies were acknowledged but only \(stored) are stored")
        }
        say("stored \(stored) records for \(acknowledged) acknowledgements")

        // Key holder.
        let archive = directory + "/archive.sqlite"
        let buildStart = now()
        let siteKey = try await ArchiveBuilder.build(
            path: archive, records: archiveRecords, workload: workload, recipients: recipients
        )
        say(String(format: "archive: %d records built in %.1f s", archiveRecords, now() - buildStart))
        let opens = try MachineLimits.opensPerSecond(plaintextSizes: workload.paddedSectionSizes, seconds: limitSeconds)
        let keyHolder = try KeyHolderRun.run(
            binary: bin + "/amanat-keyholder", archive: archive, key: keys[0].keyFile,
            passphraseFile: keys[0].passphraseFile, pinning: ["--signing-key", siteKey.text, "--heads", directory + "/heads"],
            stderrPath: directory + "/keyholder.stderr"
        )
        guard keyHolder.exitCode == 0, keyHolder.records == archiveRecords else {
            throw BenchError("amanat-keyholder open exited with \(keyHolder.exitCode) after \(keyHolder.records) "
                + "of \(archiveRecords) records")
        }
        // One key opens one stanza per sealed section.
        let keyHolderRow = Report.KeyHolderRow(
            result: keyHolder, limit: opens.perSecond / 2, cryptoCPUPerRecord: 2 / opens.perCPUSecond
        )
        say(keyHolderRow.line)

        let report = Report(
            date: Date(), command: command, seconds: benchSeconds, limitSeconds: limitSeconds, workload: workload,
            intake: rows, keyHolder: keyHolderRow
        )
        try report.write(to: output)
        say("wrote \(output)")
        say(report.summary)
    }

    private struct Key {
        var keyFile: String
        var passphraseFile: String
        var publicKey: String
    }

    /// A key made by the real `amanat-keyholder init`.
    private func makeKey(directory: String, name: String) throws -> Key {
        let passphraseFile = directory + "/\(name).pass"
        let fd = try openForWriting(passphraseFile)
        let passphrase = Array("bench passphrase \(name) \(UUID().uuidString)\n".utf8)
        _ = passphrase.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let keyFile = directory + "/\(name).key"
        let outPath = directory + "/\(name).out"
        let out = try openForWriting(outPath)
        defer { close(out) }
        let child = try ChildProcess(
            bin + "/amanat-keyholder", ["init", "--out", keyFile, "--passphrase-file", passphraseFile],
            stdout: out, stderr: out
        )
        let status = ChildProcess.exitCode(child.wait().status)
        let text = ProcStats.read(outPath) ?? ""
        guard status == 0, let publicKey = text.split(separator: "\n").last.map(String.init),
            publicKey.hasPrefix(RecipientPublicKey.prefix)
        else { throw BenchError("amanat-keyholder init failed (\(status)): \(text)") }
        return Key(keyFile: keyFile, passphraseFile: passphraseFile, publicKey: publicKey)
    }

    /// The stored sizes of both envelopes of the example, for rows of the storage limit.
    private func envelopeSizes(_ workload: Workload, recipients: [RecipientPublicKey]) throws -> (Int, Int) {
        let record = try workload.sealedRecord(recipients: recipients, received: "2026-01-01")
        return (record.identityEnvelope.count, record.testimonyEnvelope.count)
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private func makeTemporaryDirectory() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((base + "/amanat-bench.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("cannot make a temporary directory in \(base)") }
        return String(cString: made)
    }

    private func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// One line on standard output, flushed at once so progress shows under `make`.
func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

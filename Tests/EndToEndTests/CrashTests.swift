import AmanatClient
import AmanatJSON
import Foundation
import GRDB
import Glibc
import Synchronization
import Testing

/// kill -9 at random moments under concurrent load: every acknowledged testimony survives and opens, the
/// database stays intact, and no plaintext reaches the disk. `make crashtest CYCLES=N` runs N cycles
/// (AMANAT_CRASH_CYCLES); `make test` runs 3.
@Suite("crash safety")
struct CrashTests {
    static let cycles = Int(ProcessInfo.processInfo.environment["AMANAT_CRASH_CYCLES"] ?? "") ?? 3
    static let submitters = 8
    static let markerPrefix = "QZXCRASH"

    /// A testimony whose every sealed field carries the marker prefix and a unique suffix.
    static func body(_ tag: String) -> [UInt8] {
        let (body, _) = LeakTests.markedTestimony("\(markerPrefix)\(tag)")
        return body.canonicalBytes()
    }

    /// Submits from `submitters` threads until the daemon stops answering; returns the acknowledged ids. `stop` is
    /// asked before each submission, with the number acknowledged so far.
    static func load(_ socketPath: String, tag: String, until stop: @escaping @Sendable (Int) -> Bool) async -> [String] {
        let acknowledged = Mutex<[String]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let group = DispatchGroup()
            for worker in 0..<submitters {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    let client = UnixHTTPClient(socketPath: socketPath, timeoutSeconds: 10)
                    var count = 0
                    while !stop(acknowledged.withLock { $0.count }) {
                        count += 1
                        guard let response = try? client.request(
                            method: "POST", path: "/v1/testimonies", body: body("-\(tag)-\(worker)-\(count)")
                        ) else { return }  // the daemon is gone
                        if response.status == 201,
                            let id = try? JSONParser().parse(response.body)["record_id"]?.stringValue
                        {
                            acknowledged.withLock { $0.append(id) }
                        }
                    }
                }
            }
            group.notify(queue: .global()) { done.resume() }
        }
        return acknowledged.withLock { $0 }
    }

    @Test("every acknowledged testimony survives kill -9 and opens; nothing leaks")
    func crashCycles() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let arguments = ["--submissions-per-minute", "1000000"]
        var acknowledged: [String] = []
        var outputs = ""
        for cycle in 0..<Self.cycles {
            let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: arguments)
            let killAfter = Double.random(in: 0.05...0.6)
            let started = Date()
            let pid = daemon.process.processIdentifier
            let ids = await Self.load(daemon.socketPath, tag: "c\(cycle)") { acknowledgedSoFar in
                // The kill comes from the submitters' side at a random moment once something was acknowledged (a
                // cycle with nothing acknowledged would prove nothing); they stop when it lands.
                if acknowledgedSoFar > 0, Date().timeIntervalSince(started) > killAfter { kill(pid, SIGKILL) }
                return !daemon.process.isRunning
            }
            let status = await daemon.waitForExit()
            // Our SIGKILL, and nothing else: a daemon that crashed by itself, or exited, fails here.
            #expect(daemon.process.terminationReason == .uncaughtSignal && status == SIGKILL, "status \(status)")
            #expect(!ids.isEmpty, "cycle \(cycle) acknowledged nothing before the kill")
            acknowledged += ids
            outputs += daemon.output
            // What a restart finds: SQLite recovers the WAL, and the file is intact.
            let queue = try DatabaseQueue(path: daemon.databasePath)
            #expect(try await queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
            try queue.close()
        }
        // The restarted daemon serves, and enough marked testimonies are on disk to make the scan mean something.
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: arguments)
        var total = acknowledged.count
        var extra = 0
        while total < 1_000 {
            extra += 1
            let response = try daemon.client.request(method: "POST", path: "/v1/testimonies", body: Self.body("-x\(extra)"))
            try #require(response.status == 201)
            acknowledged.append(try #require(JSONParser().parse(response.body)["record_id"]?.stringValue))
            total += 1
        }
        let files = [daemon.databasePath, daemon.databasePath + "-wal", daemon.databasePath + "-shm"]
        #expect(LeakTests.leaks([Self.markerPrefix], in: files).isEmpty, "plaintext while running")
        #expect(await daemon.stop() == 0)
        outputs += daemon.output

        let everything = try FileManager.default.contentsOfDirectory(atPath: directory.path).map(directory.file)
        #expect(LeakTests.leaks([Self.markerPrefix], in: everything).isEmpty, "plaintext at rest")
        #expect(!outputs.contains(Self.markerPrefix), "plaintext in the daemon's output")

        let opened = try await key.open(daemon.databasePath)
        #expect(opened.status == 0, "\(opened.stderr)")
        let stored = Set(try opened.stdoutLines.map { try JSONParser().parse(Array($0.utf8))["record_id"]?.stringValue })
        let lost = Set(acknowledged).subtracting(stored.compactMap { $0 })
        #expect(lost.isEmpty, "\(lost.count) acknowledged testimonies were lost")
        #expect(opened.stdoutText.contains(Self.markerPrefix), "the markers are really in the sealed sections")
        print("crash safety: \(Self.cycles) cycles, \(acknowledged.count) acknowledged, \(stored.count) stored, 0 lost")
    }
}

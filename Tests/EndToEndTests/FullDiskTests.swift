import AmanatClient
import AmanatJSON
import Foundation
import GRDB
import Glibc
import Testing

/// A full disk: 507, nothing partial stored, the daemon stays up and recovers once space is freed.
@Suite("full disk", .required(SmallFilesystem.available, "cannot mount a size-limited tmpfs here (needs root)"))
struct FullDiskTests {
    @Test("507 when the database cannot grow; submissions work again after space is freed")
    func fullDisk() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let disk = directory.file("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
        try #require(mount("tmpfs", disk, "tmpfs", 0, "size=1m,mode=0700") == 0)
        defer { umount2(disk, Int32(MNT_DETACH)) }
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: ["--database", "\(disk)/amanat.sqlite", "--submissions-per-minute", "100000"]
        )
        // Most of the filesystem taken by a file the test can delete later.
        let filler = "\(disk)/filler"
        _ = FileManager.default.createFile(atPath: filler, contents: Data(count: 700 * 1024))
        var acknowledged: [String] = []
        var full: HTTPResponse?
        for _ in 0..<2_000 {
            let response = try daemon.client.request(
                method: "POST", path: "/v1/testimonies", body: contents(Paths.example("testimony-ru.json"))
            )
            if response.status == 201 {
                acknowledged.append(try #require(JSONParser().parse(response.body)["record_id"]?.stringValue))
                continue
            }
            full = response
            break
        }
        let refusal = try #require(full, "the disk never filled up")
        #expect(refusal.status == 507)
        #expect(refusal.problem?.type == "urn:amanat:problem:storage-full")
        #expect(!acknowledged.isEmpty)
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200)
        // The same testimony again: still no room, still refused cleanly.
        let again = try daemon.client.request(
            method: "POST", path: "/v1/testimonies", body: contents(Paths.example("testimony-ru.json"))
        )
        #expect(again.status == 507, "still full")

        try FileManager.default.removeItem(atPath: filler)
        let recovered = try daemon.client.request(method: "POST", path: "/v1/testimonies", body: BadInputTests.minimal())
        #expect(recovered.status == 201, "after space was freed")
        acknowledged.append(try #require(JSONParser().parse(recovered.body)["record_id"]?.stringValue))
        #expect(await daemon.stop() == 0)

        let queue = try DatabaseQueue(path: "\(disk)/amanat.sqlite")
        #expect(try await queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        try queue.close()
        let opened = try await key.open("\(disk)/amanat.sqlite")
        #expect(opened.status == 0)
        let stored = Set(try opened.stdoutLines.map { try JSONParser().parse(Array($0.utf8))["record_id"]?.stringValue })
        #expect(stored == Set(acknowledged), "exactly the acknowledged records are stored")
    }
}

/// Whether this machine lets a test make a small filesystem of its own.
enum SmallFilesystem {
    static let available: Bool = {
        guard geteuid() == 0, let directory = try? TempDir() else { return false }
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(directory.path)
        return true
    }()
}

import AmanatCrypto
import Foundation
import Testing

/// Evidence files from the volunteer's disk to the key holder's, through the real `amanat`, `amanatd` and
/// `amanat-keyholder` (issue 15): byte-identical by SHA-256, with nothing readable left at rest on the intake host,
/// from two sites opened together.
@Suite("evidence files end to end")
struct EvidenceRoundTripTests {
    /// A file of `count` bytes in `directory`: a recognisable head (a JPEG's, an Ogg's…) with `marker` in it, then
    /// bytes that repeat no 64 KiB block, so a chunk swapped on disk could not go unseen.
    static func makeFile(
        _ directory: TempDir, _ name: String, head: [UInt8], marker: String, count: Int
    ) throws -> (path: String, sha256: String) {
        let path = directory.file(name)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HarnessError("cannot create \(path)") }
        defer { close(fd) }
        var hash = SHA256()
        var written = 0
        var block = 0
        let start = head + Array(marker.utf8)
        while written < count {
            var piece = written == 0 ? start : []
            var state = UInt64(block) &* 0x9E37_79B9_7F4A_7C15 | 1
            while piece.count < 1 << 20 {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                withUnsafeBytes(of: state) { piece.append(contentsOf: $0) }
            }
            let take = min(piece.count, count - written)
            _ = piece.withUnsafeBytes { write(fd, $0.baseAddress, take) }
            piece[0..<take].withUnsafeBytes { hash.update($0) }
            written += take
            block += 1
        }
        return (path, Hex.encode(hash.finalize()))
    }

    static func sha256(of path: String) -> String {
        Hex.encode(SHA256.hash(contents(path)))
    }

    @Test("a photo, an audio file and a 300 MiB file go in and come out byte for byte; no marker at rest")
    func roundTrip() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let marker = "EVMRK\(UInt64.random(in: 1_000_000...9_999_999))"
        let jpegHead: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x40] + Array("Exif\0\0".utf8)
        let photo = try Self.makeFile(directory, "\(marker)-photo.jpg", head: jpegHead, marker: marker + "-exif", count: 180_000)
        let audio = try Self.makeFile(directory, "\(marker)-voice.ogg", head: Array("OggS".utf8), marker: marker + "-ogg", count: 1_300_000)
        let large = try Self.makeFile(directory, "\(marker)-interview.mp4", head: [0, 0, 0, 0x18] + Array("ftypmp42".utf8),
                                      marker: marker + "-mp4", count: 300 << 20)

        let submitted = try await daemon.amanat([
            "submit", "--json", Paths.example("testimony.json"),
            "--attach", photo.path, "--attach", audio.path, "--attach", large.path,
        ])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(submitted.stdout)) as? [String: Any])
        let attachments = try #require(answer["attachments"] as? [[String: Any]])
        #expect(attachments.count == 3)
        #expect(attachments.allSatisfy { $0["receipt"] is [String: Any] })

        // Nothing of the files' contents or names at rest, nor in what amanatd printed.
        let stored = try FileManager.default.contentsOfDirectory(atPath: directory.file("attachments"))
            .map { directory.file("attachments/" + $0) }
        #expect(stored.count == 3)
        let markers = [marker + "-exif", marker + "-ogg", marker + "-mp4", marker + "-photo.jpg", marker + "-voice.ogg"]
        let places = [daemon.databasePath, daemon.databasePath + "-wal", daemon.databasePath + "-shm", daemon.stderrPath]
            + stored
        #expect(LeakTests.leaks(markers, in: places.filter { FileManager.default.fileExists(atPath: $0) }).isEmpty)

        let export = directory.file("export.sqlite")
        #expect(try await daemon.amanat(["export", "--out", export]).status == 0)
        #expect(await daemon.stop() == 0)
        let verified = try await run(
            Paths.binary("amanat-keyholder"), ["verify", export] + pinningOwnKey(export)
        )
        #expect(verified.status == 0, "\(verified.stderr)")

        let out = directory.file("opened")
        let opened = try await key.open(export, extra: ["--attachments-dir", out])
        #expect(opened.status == 0, "\(opened.stderr)")
        let line = try #require(opened.stdoutLines.first)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let files = try #require(record["attachments"] as? [[String: Any]])
        #expect(files.count == 3)
        var byName: [String: String] = [:]
        for file in files {
            let name = try #require(file["name"] as? String)
            let path = try #require(file["path"] as? String)
            #expect(Self.sha256(of: path) == file["sha256"] as? String)
            byName[name] = Self.sha256(of: path)
        }
        #expect(byName["\(marker)-photo.jpg"] == photo.sha256)
        #expect(byName["\(marker)-voice.ogg"] == audio.sha256)
        #expect(byName["\(marker)-interview.mp4"] == large.sha256)
        #expect(files.first { $0["name"] as? String == "\(marker)-photo.jpg" }?["media_type"] as? String == "image/jpeg")
    }

    @Test("two sites' exports with files open together")
    func twoSites() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        var exports: [String] = []
        var expected: Set<String> = []
        for site in ["almaty", "zharkent"] {
            let siteDirectory = try TempDir()
            let daemon = try Daemon(in: siteDirectory, recipients: [key.publicKey])
            let file = try Self.makeFile(siteDirectory, "\(site).png", head: [0x89] + Array("PNG\r\n\u{1A}\n".utf8),
                                         marker: site, count: 70_000)
            expected.insert(file.sha256)
            let submitted = try await daemon.amanat(["submit", Paths.example("testimony.json"), "--attach", file.path])
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let export = directory.file("\(site).sqlite")
            #expect(try await daemon.amanat(["export", "--out", export]).status == 0)
            #expect(await daemon.stop() == 0)
            exports.append(export)
        }
        let out = directory.file("opened")
        let pins = exports.flatMap { pinningOwnKey($0) }
        let opened = try await run(
            Paths.binary("amanat-keyholder"),
            ["open"] + exports + ["--key", key.keyFile, "--passphrase-file", key.passphraseFile, "--attachments-dir", out]
                + pins
        )
        #expect(opened.status == 0, "\(opened.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: out).map { Self.sha256(of: out + "/" + $0) }
        #expect(Set(written) == expected)
    }
}

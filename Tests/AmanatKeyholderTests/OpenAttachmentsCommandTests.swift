import AmanatArchive
import AmanatCrypto
import AmanatJSON
import AmanatKeys
import Foundation
import Glibc
import Testing

/// The real `amanat-keyholder` binary on an archive built row by row: `open --attachments-dir`, `open --format html`
/// with links, and `verify`'s counts. The end-to-end tests with amanatd and amanat making the archive are in
/// EndToEndTests; these need neither.
@Suite("amanat-keyholder open --attachments-dir (the binary)") struct OpenAttachmentsCommandTests {
    /// The binary, built next to this test executable.
    static let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("amanat-keyholder").path

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary with `arguments` (posix_spawn, standard streams to files) and waits for it.
    static func run(_ arguments: [String], in directory: String) throws -> Outcome {
        let (out, err) = (directory + "/stdout-\(UUID())", directory + "/stderr-\(UUID())")
        for path in [out, err] { close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY, 0)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        let environment: [String] = ["XDG_STATE_HOME=\(directory)/state", "LANG=C"]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        try #require(rc == 0, "posix_spawn: \(String(cString: strerror(rc)))")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return Outcome(status: (status >> 8) & 0xFF, stdout: read(out), stderr: read(err))
    }

    /// The SHA-256 of the file at `path`, in hex; nil when there is none. (Compared rather than the bytes, so that a
    /// failure prints two lines, not a megabyte.)
    static func hash(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { Hex.encode(SHA256.hash([UInt8]($0))) }
    }

    /// The archive's recipient in a key file, with its
    /// passphrase file.
    static func keyFile(_ archive: EvidenceArchive) throws -> [String] {
        let passphrase = archive.directory + "/passphrase"
        try Data("correct horse\n".utf8).write(to: URL(fileURLWithPath: passphrase))
        let secret = try SecretBytes(copying: UnsafeRawBufferPointer(start: "correct horse", count: 13))
        let file = try SecretKeyFile.seal(archive.recipient, passphrase: secret)
        let path = archive.directory + "/holder.key"
        try file.write(path: path)
        return ["--key", path, "--passphrase-file", passphrase, "--signing-key", archive.signingKey.publicKey.text]
    }

    @Test func openWritesTheFilesAndListsThem() async throws {
        let archive = try await EvidenceArchive()
        let photo = EvidenceArchive.bytes(300_000, seed: 30)
        try archive.attach(photo, to: 1, position: 1, name: "../photo.jpg")
        let broken = try archive.attach(EvidenceArchive.bytes(1_000, seed: 31), to: 1, position: 2, name: "b.txt")
        try archive.addendum(["text": .string("a later word")], to: 1)
        let key = try Self.keyFile(archive)
        let files = archive.directory + "/files"

        // Intact: exit 0, both files, the addendum on the line.
        let opened = try Self.run(["open", archive.path, "--attachments-dir", files] + key, in: archive.directory)
        #expect(opened.status == 0, "\(opened.stderr)")
        let id = archive.records[1].text
        #expect(Self.hash("\(files)/\(id)-1-_._photo.jpg") == Hex.encode(SHA256.hash(photo)))
        var info = stat()
        #expect(lstat(files, &info) == 0 && info.st_mode & 0o777 == 0o700)
        let line = try #require(opened.stdout.split(separator: "\n").first { $0.contains(id) })
        let object = try JSONParser().parse(Array(line.utf8))
        #expect(object["attachments"]?.arrayValue?.first?["path"]?.stringValue == "\(files)/\(id)-1-_._photo.jpg")
        #expect(object["addenda"]?.arrayValue?.first?["text"]?.stringValue == "a later word")
        #expect(opened.stderr.contains("; 2 attachments (2 files written); 1 addenda"), "\(opened.stderr)")

        // The directory exists now: a usage error before anything is read.
        let again = try Self.run(["open", archive.path, "--attachments-dir", files] + key, in: archive.directory)
        #expect(again.status == 64 && again.stderr.contains("exists"), "\(again.stderr)")

        // A flipped bit in the second file: verify names it; open --no-verify keeps the good file, not the bad one.
        var stream = broken.stream
        stream[100] ^= 1
        try archive.write { db in try EvidenceArchive.storePieces(stream, id: broken.row.attachmentID, db) }
        let verified = try Self.run(["verify", archive.path, "--signing-key", archive.signingKey.publicKey.text], in: archive.directory)
        #expect(verified.status == 7 && verified.stdout.contains("attachment \(broken.row.attachmentID.hex)"), "\(verified.stdout)")
        let tampered = files + "-2"
        let damaged = try Self.run(["open", archive.path, "--no-verify", "--attachments-dir", tampered] + key, in: archive.directory)
        #expect(damaged.status == 6, "\(damaged.stderr)")
        #expect(damaged.stderr.contains("record \(id): attachment 2: tampered: chunk 1 of 1 does not authenticate"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tampered) == ["\(id)-1-_._photo.jpg"])
    }

    @Test func verifyCountsAttachmentsAndAddenda() async throws {
        let archive = try await EvidenceArchive()
        try archive.attach(EvidenceArchive.bytes(10, seed: 32), to: 0)
        try archive.addendum(["text": .string("x")], to: 2)
        let outcome = try Self.run(["verify", archive.path, "--signing-key", archive.signingKey.publicKey.text], in: archive.directory)
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("1 attachment entries (302 stored bytes, every stream hashed), 1 addendum entries"), "\(outcome.stdout)")
    }

    @Test func aReportLinksTheExtractedFiles() async throws {
        let archive = try await EvidenceArchive()
        let photo = EvidenceArchive.bytes(2_000, seed: 33)
        try archive.attach(photo, to: 0, name: "скан.jpg")
        let key = try Self.keyFile(archive)
        let report = archive.directory + "/report"
        let outcome = try Self.run(
            ["open", archive.path, "--format", "html", "--out", report, "--attachments-dir", archive.directory + "/files"] + key,
            in: archive.directory
        )
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let id = archive.records[0].text
        let page = String(decoding: FileManager.default.contents(atPath: "\(report)/\(id).html") ?? Data(), as: UTF8.self)
        let href = "../files/\(id)-1-%D1%81%D0%BA%D0%B0%D0%BD.jpg"
        #expect(page.contains("<a href=\"\(href)\">"), "\(page)")
        // The link leads to the file.
        let target = report + "/" + (href.removingPercentEncoding ?? "")
        #expect(Self.hash(target) == Hex.encode(SHA256.hash(photo)))
    }
}

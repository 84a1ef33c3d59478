import Foundation
import Glibc
import Testing

/// Uploads under other users and on a full disk: what needs root (setpriv, a small tmpfs).
@Suite("uploads: other users and a full disk")
struct UploadIsolationTests {
    static let mib = UploadWire.mebibyte

    /// Python's `request(method, path, headers, body)` on the socket `sys.argv[1]`, returning the status: what a
    /// script run as another uid sends (the drafts' test uses it too).
    static let rawRequest = """
        import socket, sys
        def request(method, path, headers, body=b""):
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            head = f"{method} {path} HTTP/1.1\\r\\nHost: amanat\\r\\nContent-Length: {len(body)}\\r\\n"
            head += "".join(f"{k}: {v}\\r\\n" for k, v in headers) + "\\r\\n"
            try:
                s.sendall(head.encode() + body)
            except OSError:
                pass
            data = b""
            while b"\\r\\n\\r\\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            s.close()
            return data.split(b" ")[1].decode() if data else "none"

        """

    /// HEAD, PATCH and DELETE of `id`, then a POST of its own, by uid 65534 through Python's raw sockets; one status
    /// per line.
    static let stranger = rawRequest + """
        upload = "/v1/uploads/" + sys.argv[2]
        print(request("HEAD", upload, []))
        print(request("PATCH", upload, [("Content-Type", "application/partial-upload"), ("Upload-Offset", "0"),
                                        ("Upload-Complete", "?0")], b"x" * 10))
        print(request("DELETE", upload, []))
        print(request("POST", "/v1/uploads", [("Upload-Length", "10"), ("Upload-Complete", "?0")]))
        """

    @Test(
        "another uid cannot see, append to or delete an upload: 404, as for an id that does not exist",
        .required(
            geteuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0 && access("/usr/bin/python3", X_OK) == 0,
            "needs root, setpriv and /usr/bin/python3 to switch users"
        )
    )
    func otherUID() async throws {
        let directory = try TempDir()
        chmod(directory.path, 0o711)
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey], extraArguments: ["--submitter-group", "nogroup"]
        )
        let (id, created) = try UploadWire.create(daemon.socketPath, length: 1000)
        #expect(created.status == 201)
        let script = try directory.write("stranger.py", Self.stranger, mode: 0o644)
        let outcome = try await run(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--groups=0", "--", "/usr/bin/python3", script, daemon.socketPath, id]
        )
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdoutLines == ["404", "404", "404", "201"], "\(outcome.stdoutText)")
        let head = try UploadWire.headUpload(daemon.socketPath, id)
        #expect(head.status == 204 && head.headers["upload-offset"] == "0", "still there for its owner")
        #expect(FileManager.default.fileExists(atPath: directory.file("attachments/\(id)")))
        #expect(await daemon.stop() == 0)
    }

    @Test(
        "a disk that fills up mid-upload: 507, nothing of that upload kept, the space freed, other uploads intact",
        .required(SmallFilesystem.available, "cannot mount a size-limited tmpfs here (needs root)")
    )
    func fullDisk() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let disk = directory.file("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
        try #require(mount("tmpfs", disk, "tmpfs", 0, "size=8m,mode=0700") == 0)
        defer { umount2(disk, Int32(MNT_DETACH)) }
        let database = "\(disk)/amanat.sqlite"
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: ["--database", database, "--min-free-bytes", "0"]
        )
        let socket = daemon.socketPath
        let first = UploadWire.randomBody(5 * Self.mib)
        let second = UploadWire.randomBody(5 * Self.mib)
        // Each fits the free space alone when it is created; both do not.
        let (kept, _) = try UploadWire.create(socket, length: first.count)
        let (cut, createdCut) = try UploadWire.create(socket, length: second.count)
        #expect(createdCut.status == 201, "\(createdCut.text)")
        #expect(try UploadWire.patch(socket, kept, offset: 0, first[...], complete: true).status == 204)
        let full = try UploadWire.patch(socket, cut, offset: 0, second[...], complete: true)
        #expect(full.status == 507 && full.slug == "storage-full", "\(full.status) \(full.text)")
        #expect(!FileManager.default.fileExists(atPath: "\(disk)/attachments/\(cut)"), "nothing partial is kept")
        #expect(try UploadWire.headUpload(socket, cut).status == 404)
        #expect(try UploadWire.row(database, cut) == nil)
        #expect(try UploadWire.row(database, kept)?.sha256 == UploadWire.sha256(first), "the other upload is intact")
        let same = UploadWire.sameBytes(contents("\(disk)/attachments/\(kept)"), first)
        #expect(same)
        // The space came back: once the first is deleted, the second fits.
        #expect(try UploadWire.request(socket, "DELETE", "/v1/uploads/\(kept)").status == 204)
        let (again, _) = try UploadWire.create(socket, length: second.count)
        #expect(try UploadWire.patch(socket, again, offset: 0, second[...], complete: true).status == 204)
        #expect(try UploadWire.row(database, again)?.sha256 == UploadWire.sha256(second))
        #expect(await daemon.stop() == 0)
    }
}

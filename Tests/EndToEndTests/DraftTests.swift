import AmanatClient
import Foundation
import GRDB
import Glibc
import Testing

/// Drafts of the guided intake (issue 16; PROTOCOL.md section 2.13, FORMAT.md section 15), through a real
/// pseudo-terminal against the real amanatd: a crash loses nothing, the host holds ciphertext only, and a draft
/// goes when the testimony is sent, discarded, or left to expire.
@Suite("guided intake: drafts")
struct DraftTests {
    /// Three fields (the evidence tests' one and two more), so that a session is short and stops midway.
    static let form = InteractiveEvidenceTests.form + """


        [[fields]]
        name = "place"
        type = "line"
        section = "testimony"
        required = true
        max_length = 100
        label = { en = "Place", ru = "Место", kk = "Орын" }

        [[fields]]
        name = "account"
        type = "text"
        section = "testimony"
        required = true
        max_length = 10000
        label = { en = "Account", ru = "Рассказ", kk = "Әңгіме" }
        """

    /// A daemon serving the short form, with `arguments`.
    static func daemon(_ directory: TempDir, _ arguments: [String] = []) async throws -> Daemon {
        let key = try await TestKey.make(in: directory)
        let forms = try InteractiveIntakeTests.makeDirectory(directory, "forms")
        try directory.write("forms/short.toml", form)
        return try Daemon(in: directory, recipients: [key.publicKey], forms: forms, extraArguments: arguments)
    }

    /// `amanat submit` on a fresh terminal, in English, from `work` (also its TMPDIR).
    static func intake(_ daemon: Daemon, _ work: String, _ extra: [String] = []) throws -> PseudoTerminal {
        try PseudoTerminal(
            Paths.binary("amanat"), ["--socket", daemon.socketPath, "submit", "--interactive", "--lang", "en"] + extra,
            environment: InteractiveIntakeTests.environment(tmp: work, lang: "en_US.UTF-8"), directory: work
        )
    }

    /// Reads the draft code off the screen: the groups after "Draft code:".
    static func code(_ terminal: PseudoTerminal) throws -> String {
        try terminal.expect("Draft code:")
        return try terminal.expect("\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The files in the daemon's `drafts/`.
    static func drafts(_ daemon: Daemon) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: daemon.directory.file("drafts"))) ?? []
    }

    /// Waits until `drafts/` is empty, woken by each removal in it (inotify), never by a timer; false after
    /// `seconds`.
    static func waitUntilNoDrafts(_ daemon: Daemon, seconds: Double = 60) -> Bool {
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        defer { close(watch) }
        guard watch >= 0,
            inotify_add_watch(watch, daemon.directory.file("drafts"), UInt32(IN_DELETE | IN_MOVED_FROM)) >= 0
        else { return false }
        let deadline = Date().addingTimeInterval(seconds)
        var events = [UInt8](repeating: 0, count: 4096)
        while !drafts(daemon).isEmpty {
            let left = Int32(deadline.timeIntervalSinceNow * 1000)
            guard left > 0 else { return false }
            var ready = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, left) > 0 { _ = events.withUnsafeMutableBytes { read(watch, $0.baseAddress, $0.count) } }
        }
        return true
    }

    /// Every byte amanatd left on disk or wrote: the database, its WAL and SHM, the drafts, its output.
    static func everything(_ daemon: Daemon) -> [UInt8] {
        var bytes: [UInt8] = []
        for suffix in ["", "-wal", "-shm"] { bytes += contents(daemon.databasePath + suffix) }
        for name in drafts(daemon) { bytes += contents(daemon.directory.file("drafts/" + name)) }
        return bytes + Array(daemon.output.utf8)
    }

    static func holds(_ haystack: [UInt8], _ marker: String) -> Bool {
        let needle = Array(marker.utf8)
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains {
            haystack[$0..<($0 + needle.count)].elementsEqual(needle)
        }
    }

    @Test("killed midway (SIGKILL), resumed with the code as a person types it, sent: ciphertext only, then gone")
    func crashAndResume() async throws {
        let directory = try TempDir()
        let daemon = try await Self.daemon(directory)
        let work = try InteractiveIntakeTests.makeDirectory(directory, "work")
        let name = "Marker-Name-\(UUID().uuidString)"
        let place = "Marker-Place-\(UUID().uuidString)"

        let first = try Self.intake(daemon, work)
        try first.expect("encrypted with the code below")
        let code = try Self.code(first)
        #expect(code.split(separator: " ").map(\.count) == [4, 4, 4, 4, 4, 4, 1], "\(code)")
        try first.expect("[1/3] Name")
        try first.expect("> ")
        try first.type(name + "\r")
        try first.expect("[2/3] Place")
        try first.expect("> ")
        try first.type(place + "\r")
        // Shown once the second answer's save has returned.
        try first.expect("[3/3] Account")
        kill(first.pid, SIGKILL)
        #expect(try first.finish() == 128 + SIGKILL)

        // One draft on the host, and nothing readable anywhere: not in the database, WAL, drafts or output; nothing
        // on the volunteer's side.
        #expect(Self.drafts(daemon).count == 1)
        let left = Self.everything(daemon)
        #expect(!Self.holds(left, name) && !Self.holds(left, place), "a marker reached the host's disk in clear")
        #expect(try InteractiveIntakeTests.isEmptyDirectory(work))

        let second = try Self.intake(daemon, work, ["--resume"])
        try second.expect("Type the draft code")
        // A mistyped character: the check letter catches it.
        var typo = Array(code)
        typo[2] = typo[2] == "a" ? "b" : "a"
        try second.expect("> ")
        try second.type(String(typo) + "\r")
        try second.expect("the check character does not match")
        // A well-formed code of no draft (the check letter left off): no draft, said as such.
        try second.expect("> ")
        try second.type(String(typo.dropLast(2)) + "\r")
        try second.expect("has no draft with this code")
        // The right code, in capitals with dashes.
        try second.expect("> ")
        try second.type(code.uppercased().replacingOccurrences(of: " ", with: "-") + "\r")
        try second.expect("The draft is open: 2 of 3 fields answered.")
        try second.expect("[3/3] Account")
        try second.expect("holding only a full stop")
        try second.type("What happened.\r")
        try second.type(".\r")
        try second.expect("Evidence files")
        try second.expect("> ")
        try second.type("\r")
        let review = try second.expect("\u{201C}send\u{201D}")
        #expect(review.contains(name) && review.contains(place), "the resumed answers are in the review")
        try second.expect("> ")
        try second.type("send\r")
        try second.expect("The testimony was stored. Record id: ")
        #expect(try second.finish() == 0)

        #expect(Self.drafts(daemon).isEmpty, "sending deletes the draft")
        #expect(try InteractiveIntakeTests.recordCount(daemon.databasePath) == 1)
        #expect(try InteractiveIntakeTests.isEmptyDirectory(work))
        #expect(await daemon.stop() == 0)
    }

    @Test("discarding removes the draft (or says it will expire); one left alone expires, its code then finds nothing")
    func discardAndExpiry() async throws {
        let directory = try TempDir()
        let daemon = try await Self.daemon(directory, ["--draft-expiry-seconds", "10"])
        let work = try InteractiveIntakeTests.makeDirectory(directory, "work")

        let discarded = try Self.intake(daemon, work)
        try discarded.expect("for 1 min after the last answer")
        _ = try Self.code(discarded)
        try discarded.expect("> ")
        try discarded.type("Someone\r")
        try discarded.expect("[2/3] Place")
        #expect(Self.drafts(daemon).count == 1)
        try discarded.type("\u{03}")
        try discarded.expect("Discard everything that was entered?")
        try discarded.type("y\r")
        try discarded.expect("Discarded. Nothing was sent.")
        #expect(try discarded.finish() == 130)
        #expect(Self.drafts(daemon).isEmpty, "discarding deletes the draft")

        let abandoned = try Self.intake(daemon, work)
        let code = try Self.code(abandoned)
        try abandoned.expect("> ")
        try abandoned.type("Someone else\r")
        try abandoned.expect("[2/3] Place")
        kill(abandoned.pid, SIGKILL)
        _ = try abandoned.finish()
        #expect(Self.drafts(daemon).count == 1)
        #expect(Self.waitUntilNoDrafts(daemon), "the draft did not expire")

        let late = try Self.intake(daemon, work, ["--resume"])
        try late.expect("> ")
        try late.type(code + "\r")
        try late.expect("has no draft with this code")
        try late.expect("> ")
        try late.type("\u{03}")
        #expect(try late.finish() == 130)
        #expect(try InteractiveIntakeTests.recordCount(daemon.databasePath) == 0)

        // Discarded while amanatd is away: the draft cannot be deleted now, and the volunteer is told it expires.
        let cut = try Self.intake(daemon, work)
        _ = try Self.code(cut)
        try cut.expect("> ")
        try cut.type("A third\r")
        try cut.expect("[2/3] Place")
        #expect(await daemon.stop() == 0)
        try cut.type("\u{03}")
        try cut.expect("Discard everything that was entered?")
        try cut.type("y\r")
        try cut.expect("Discarded. Nothing was sent.")
        try cut.expect("could not be deleted")
        #expect(try cut.finish() == 130)
        #expect(Self.drafts(daemon).count == 1, "it waits for its expiry")
    }

    /// GET, DELETE and PUT of `id`, then GET again, by uid 65534 through Python's raw sockets; one status per line.
    static let stranger = UploadIsolationTests.rawRequest + """
        draft = "/v1/drafts/" + sys.argv[2]
        octets = [("Content-Type", "application/octet-stream")]
        print(request("GET", draft, []))
        print(request("DELETE", draft, []))
        print(request("PUT", draft, octets, b"other"))
        print(request("GET", draft, []))
        """

    @Test(
        "another uid cannot read, delete or overwrite a draft: its own PUT makes its own draft",
        .required(
            geteuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0 && access("/usr/bin/python3", X_OK) == 0,
            "needs root, setpriv and /usr/bin/python3 to switch users"
        )
    )
    func otherUID() async throws {
        let directory = try TempDir()
        chmod(directory.path, 0o711)
        let daemon = try await Self.daemon(directory, ["--submitter-group", "nogroup"])
        let id = String(repeating: "ab", count: 32)
        let mine = Array("AMDR-owned-by-root".utf8)
        let saved = try daemon.client.request(
            method: "PUT", path: "/v1/drafts/\(id)", body: mine, contentType: "application/octet-stream"
        )
        #expect(saved.status == 200, "\(String(decoding: saved.body, as: UTF8.self))")
        let script = try directory.write("stranger.py", Self.stranger, mode: 0o644)
        let outcome = try await run(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--groups=0", "--", "/usr/bin/python3", script, daemon.socketPath, id]
        )
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdoutLines == ["404", "404", "200", "200"], "\(outcome.stdoutText)")
        let read = try daemon.client.request(method: "GET", path: "/v1/drafts/\(id)")
        #expect(read.status == 200 && read.body == mine, "the owner's draft is untouched")
        #expect(try daemon.client.request(method: "DELETE", path: "/v1/drafts/\(id)").status == 204)
        #expect(try daemon.client.request(method: "GET", path: "/v1/drafts/\(id)").status == 404)
        #expect(await daemon.stop() == 0)
    }
}

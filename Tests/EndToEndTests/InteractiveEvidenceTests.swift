import AmanatFormat
import AmanatJSON
import Foundation
import GRDB
import Glibc
import Testing

/// The guided intake's evidence step, through a real pseudo-terminal against the real amanatd.
@Suite("guided intake: evidence files")
struct InteractiveEvidenceTests {
    /// A form of one required line, so that the session is short.
    static let form = """
        id = "short"
        version = 1
        title = { en = "Short", ru = "Короткая", kk = "Қысқа" }

        [[fields]]
        name = "name"
        type = "line"
        section = "identity"
        required = true
        max_length = 100
        label = { en = "Name", ru = "Имя", kk = "Аты" }
        """

    @Test("files added by path (name, size, type shown), one refused, one removed at review; the rest stored")
    func addRemoveAndSend() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let forms = try InteractiveIntakeTests.makeDirectory(directory, "forms")
        try directory.write("forms/short.toml", Self.form)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], forms: forms)
        let photo = try directory.write("IMG_0412.jpg", [0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 7, count: 3000))
        let audio = try directory.write("voice.ogg", Array("OggS".utf8) + [UInt8](repeating: 1, count: 70_000))
        let tmp = try InteractiveIntakeTests.makeDirectory(directory, "tmp")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"), ["--socket", daemon.socketPath, "submit", "--interactive", "--lang", "en"],
            environment: InteractiveIntakeTests.environment(tmp: tmp, lang: "en_US.UTF-8"), directory: tmp
        )
        try terminal.expect("[1/1] Name * (required)")
        try terminal.expect("> ")
        try terminal.type("Aidos\r")
        try terminal.expect("Evidence files")
        try terminal.expect("(no files)")
        try terminal.type("\(photo)\r")
        try terminal.expect("1) IMG_0412.jpg, 2.9 KiB, image/jpeg")
        try terminal.type("\(directory.path)\r")
        try terminal.expect("is not a regular file")
        try terminal.type("\(audio)\r")
        try terminal.expect("2) voice.ogg, 68.4 KiB, audio/ogg")
        try terminal.type("\(photo)\r")
        try terminal.expect("This file is already in the list.")
        try terminal.type("\r")
        try terminal.expect("==== Review the testimony before sending ====")
        try terminal.expect("2) voice.ogg, 68.4 KiB, audio/ogg")
        try terminal.expect("\u{201C}files\u{201D}")
        try terminal.expect("> ")
        try terminal.type("files\r")
        try terminal.expect("Evidence files")
        try terminal.type("-1\r")
        try terminal.expect("1) voice.ogg, 68.4 KiB, audio/ogg")
        try terminal.type("\r")
        try terminal.expect("\u{201C}send\u{201D}")
        try terminal.expect("> ")
        try terminal.type("send\r")
        try terminal.expect("The testimony was stored. Record id: ")
        let confirmation = try terminal.expect("receipt {")
        #expect(confirmation.contains("attachment 1 "))
        #expect(try terminal.finish() == 0)

        let queue = try DatabaseQueue(path: daemon.databasePath)
        let stored = try await queue.read { db in try Int64.fetchAll(db, sql: "SELECT stored_size FROM attachments") }
        #expect(stored == [Int64(FileStreamLayout.storedSize(plainSize: 70_004))])
        #expect(await daemon.stop() == 0)
    }
}

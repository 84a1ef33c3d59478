@testable import amanat_keyholder
import Testing

/// No name from an archive becomes a path (docs/FORMAT.md 8.4).
@Suite("safe names of extracted attachments") struct SafeNameTests {
    @Test(arguments: [
        ("../../etc/passwd", "_._.._etc_passwd"),
        ("a/b", "a_b"),
        ("a\u{0}b.jpg", "a_b.jpg"),
        ("line\nbreak.txt", "line_break.txt"),
        ("photo\u{202E}gpj.exe", "photo_gpj.exe"),
        (".bashrc", "_bashrc"),
        ("..", "_."),
        ("", "file"),
        ("/", "_"),
        ("C:\\Windows\\x.dll", "C__Windows_x.dll"),
        ("паспорт матери.jpg", "паспорт_матери.jpg"),
        ("e\u{301}.png", "e_.png"),
        ("tab\there", "tab_here"),
        ("~user", "_user"),
    ])
    func cleans(name: String, expected: String) {
        #expect(SafeName.clean(name) == expected)
    }

    @Test func aLongNameIsCutKeepingItsExtension() {
        let cleaned = SafeName.clean(String(repeating: "a", count: 300) + ".jpeg")
        #expect(cleaned.utf8.count == 100)
        #expect(cleaned.hasSuffix("a.jpeg"))
        // Two-byte letters are cut at a character boundary, never inside one.
        let cyrillic = SafeName.clean(String(repeating: "ж", count: 300))
        #expect(cyrillic.utf8.count <= 100 && cyrillic.allSatisfy { $0 == "ж" })
        // An extension longer than 16 bytes is not kept apart.
        let longExtension = SafeName.clean(String(repeating: "b", count: 200) + "." + String(repeating: "c", count: 40))
        #expect(longExtension == String(repeating: "b", count: 100))
    }

    @Test func everyCleanedNameIsOneHarmlessComponent() {
        let hostile = ["../x", "a/../../b", "\u{1B}[31m", "\u{7F}", "\u{85}next", "\u{2028}", "\u{FEFF}", "a\u{200D}b", String(repeating: "/", count: 300)]
        for name in hostile {
            let cleaned = SafeName.clean(name)
            #expect(!cleaned.isEmpty && !cleaned.hasPrefix(".") && !cleaned.contains("/") && cleaned.utf8.count <= 100)
            #expect(cleaned.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) })
        }
    }

    /// Names that clean to the same text stay apart by the attachment's position.
    @Test func namesThatCollideAfterCleaningGetDifferentFiles() {
        let id = "1e1ef5764964c4450d7ff9c87b0ed22d"
        #expect(SafeName.clean("a/b") == SafeName.clean("a_b"))
        #expect(SafeName.fileName(recordID: id, position: 1, name: "a/b") == "\(id)-1-a_b")
        #expect(SafeName.fileName(recordID: id, position: 2, name: "a_b") == "\(id)-2-a_b")
    }

    @Test func theTransferBarShowsBytesRateAndTimeLeft() {
        #expect(TransferBar.bytes(512) == "512 B")
        #expect(TransferBar.bytes(1_572_864) == "1.5 MiB")
        let text = TransferBar.text(label: "extracting x-1", done: 512 << 20, total: 1 << 30, seconds: 2, width: 10)
        #expect(text == "extracting x-1 [#####.....] 512.0 MiB of 1.0 GiB, 256.0 MiB/s, 2 s left")
    }
}

@testable import amanat
import Foundation
import Glibc
import Testing

/// What `--attach` accepts before anything is sent.
@Suite("amanat: evidence files") struct EvidenceFileTests {
    @Test func baseNames() {
        #expect(EvidenceFile.baseName(of: "scan.jpg") == "scan.jpg")
        #expect(EvidenceFile.baseName(of: "/home/v/Фото/паспорт 1.jpg") == "паспорт 1.jpg")
        #expect(EvidenceFile.baseName(of: "dir/trailing/") == "trailing")
        #expect(EvidenceFile.baseName(of: "/") == nil)
        #expect(EvidenceFile.baseName(of: "..") == nil)
        #expect(EvidenceFile.baseName(of: "a/line\nbreak") == nil)
        #expect(EvidenceFile.baseName(of: "a/" + String(repeating: "x", count: 256)) == nil)
        #expect(EvidenceFile.baseName(of: "a/" + String(repeating: "x", count: 255)) != nil)
    }

    @Test func refusesWhatIsNotARegularFile() throws {
        var template = Array("/tmp/amanat-cli-test-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [directory, fifo, "/dev/null"] {
            #expect(throws: EvidenceError.self, "\(path)") { try EvidenceFile(path: path) }
        }
        #expect(throws: EvidenceError.self) { try EvidenceFile(path: directory + "/missing") }
        let photo = directory + "/IMG_0412"
        FileManager.default.createFile(atPath: photo, contents: Data([0xFF, 0xD8, 0xFF, 0xDB, 0, 0x43]))
        let file = try EvidenceFile(path: photo)
        #expect(file.name == "IMG_0412" && file.size == 6 && file.mediaType == "image/jpeg")
    }

    @Test func progressText() {
        #expect(ByteCount.text(812) == "812 B")
        #expect(ByteCount.text(12 * 1024 + 100) == "12.1 KiB")
        #expect(ByteCount.text(300 << 20) == "300.0 MiB")
        #expect(ByteCount.text(4 << 30) == "4.0 GiB")
        let line = TransferProgress.text(
            label: "sending a.mp4", done: 150 << 20, total: 300 << 20, seconds: 3, sent: 150 << 20, language: .en
        )
        #expect(line == "sending a.mp4 [##########..........] 150.0 MiB / 300.0 MiB  50.0 MiB/s  0:03 left")
        let russian = TransferProgress.text(
            label: "x", done: 0, total: 300 << 20, seconds: 0, sent: 0, language: .ru
        )
        #expect(russian == "x [....................] 0 B / 300.0 MiB")
    }
}

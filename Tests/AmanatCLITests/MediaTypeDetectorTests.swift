@testable import amanat
import Testing

/// Media types from the first bytes of the files witnesses bring (issue 15: amanat detects, the key holder is
/// told).
@Suite("amanat: media type detection") struct MediaTypeDetectorTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func ftyp(_ brand: String) -> [UInt8] { [0, 0, 0, 0x18] + bytes("ftyp") + bytes(brand) + [0, 0, 0, 0] }

    static let cases: [(String, [UInt8], String)] = [
        ("JPEG (JFIF)", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10] + bytes("JFIF"), "image/jpeg"),
        ("JPEG (Exif)", [0xFF, 0xD8, 0xFF, 0xE1, 0x12, 0x34] + bytes("Exif"), "image/jpeg"),
        ("PNG", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D], "image/png"),
        ("GIF 89a", bytes("GIF89a") + [1, 0, 1, 0], "image/gif"),
        ("GIF 87a", bytes("GIF87a") + [1, 0, 1, 0], "image/gif"),
        ("WebP", bytes("RIFF") + [0x24, 0, 0, 0] + bytes("WEBPVP8 "), "image/webp"),
        ("WAV", bytes("RIFF") + [0x24, 0, 0, 0] + bytes("WAVEfmt "), "audio/wav"),
        ("HEIC", ftyp("heic"), "image/heic"),
        ("HEIF", ftyp("mif1"), "image/heif"),
        ("MP4", ftyp("isom"), "video/mp4"),
        ("MP4 (mp42)", ftyp("mp42"), "video/mp4"),
        ("MOV", ftyp("qt  "), "video/quicktime"),
        ("MOV without ftyp", [0, 0, 0, 8] + bytes("wide") + [0, 0, 0, 0], "video/quicktime"),
        ("M4A", ftyp("M4A "), "audio/mp4"),
        ("3GP", ftyp("3gp4"), "video/3gpp"),
        ("PDF", bytes("%PDF-1.7\n%\u{E2}\u{E3}"), "application/pdf"),
        ("MP3 with ID3", bytes("ID3") + [4, 0, 0, 0, 0, 0, 0], "audio/mpeg"),
        ("MP3 frame", [0xFF, 0xFB, 0x90, 0x64, 0, 0], "audio/mpeg"),
        ("OGG", bytes("OggS") + [0, 2, 0, 0], "audio/ogg"),
        ("AMR", bytes("#!AMR\n") + [0x3C], "audio/amr"),
        ("AMR-WB", bytes("#!AMR-WB\n") + [0x04], "audio/amr-wb"),
        ("plain text", bytes("Сегодня 12 мая.\r\nAidos\ttold us…\n"), "text/plain"),
        ("nothing", [], "application/octet-stream"),
        ("binary", [0x00, 0x01, 0x02, 0x03, 0xFE], "application/octet-stream"),
        ("ADTS AAC is not MP3", [0xFF, 0xF1, 0x50, 0x80, 0, 0x1F], "application/octet-stream"),
        ("a NUL in text", bytes("text\u{0}more"), "application/octet-stream"),
        ("Latin-1, not UTF-8", [0x63, 0x61, 0x66, 0xE9, 0x20], "application/octet-stream"),
        ("an unknown RIFF", bytes("RIFF") + [0x24, 0, 0, 0] + bytes("AVI LIST"), "application/octet-stream"),
    ]

    @Test(arguments: cases.indices)
    func detects(_ index: Int) {
        let (name, head, expected) = Self.cases[index]
        #expect(MediaTypeDetector.detect(head) == expected, "\(name)")
    }

    /// A text file longer than the sniffed head: the head may end inside a character, which is still text; a whole
    /// file that ends inside one is not.
    @Test func textCutInsideACharacterIsText() {
        let sniff = MediaTypeDetector.sniffBytes
        for prefix in ["a", "ab", ""] {
            let text = Array((prefix + String(repeating: "€", count: sniff)).utf8)
            #expect(MediaTypeDetector.detect(Array(text[0..<sniff])) == "text/plain", "after \(prefix.count)")
        }
        let cutShortFile = Array("ab€".utf8).dropLast()
        #expect(MediaTypeDetector.detect(Array(cutShortFile)) == "application/octet-stream")
        let startsInside = Array(String(repeating: "€", count: sniff).utf8)[1...].prefix(sniff)
        #expect(MediaTypeDetector.detect(Array(startsInside)) == "application/octet-stream")
    }

    @Test func mediaTypesAreTokensTheProtocolTakes() {
        for (_, head, _) in Self.cases {
            let type = MediaTypeDetector.detect(head)
            let parts = type.split(separator: "/", omittingEmptySubsequences: false)
            #expect(parts.count == 2 && type.utf8.count <= 127)
            #expect(parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x2F } })
        }
    }
}

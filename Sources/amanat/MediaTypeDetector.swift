/// The media type of an evidence file from its first bytes (its "magic"), never from its name: a volunteer's
/// `IMG_0412` from a phone has no extension, and a renamed file should still be shown for what it is.
///
/// Only the kinds witnesses bring are told apart (photos and scans, documents, audio and video recordings, plain
/// text); anything else is `application/octet-stream`. The key holder sees the type in the sealed metadata.
enum MediaTypeDetector {
    /// How many leading bytes ``detect(_:)`` looks at; fewer are fine for short files.
    static let sniffBytes = 4096

    /// The media type of a file beginning with `head` (its first ``sniffBytes`` bytes, or all of a shorter file).
    static func detect(_ head: [UInt8]) -> String {
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.starts(with: ascii("GIF87a")) || head.starts(with: ascii("GIF89a")) { return "image/gif" }
        if head.starts(with: ascii("%PDF-")) { return "application/pdf" }
        if head.starts(with: ascii("OggS")) { return "audio/ogg" }
        // AMR-WB first: "#!AMR" is a prefix of "#!AMR-WB".
        if head.starts(with: ascii("#!AMR-WB\n")) { return "audio/amr-wb" }
        if head.starts(with: ascii("#!AMR\n")) { return "audio/amr" }
        if head.count >= 12, head.starts(with: ascii("RIFF")) {
            switch Array(head[8..<12]) {
            case ascii("WEBP"): return "image/webp"
            case ascii("WAVE"): return "audio/wav"
            default: break
            }
        }
        if let isoType = isoMediaType(head) { return isoType }
        if head.starts(with: ascii("ID3")) || isMPEGAudioFrame(head) { return "audio/mpeg" }
        if isPlainText(head) { return "text/plain" }
        return "application/octet-stream"
    }

    /// ISO base media files (MP4, MOV, M4A, 3GP, HEIC) by the major brand of their `ftyp` box; old QuickTime
    /// files without one by their first atom.
    private static func isoMediaType(_ head: [UInt8]) -> String? {
        guard head.count >= 12 else { return nil }
        let box = Array(head[4..<8])
        if box == ascii("ftyp") {
            let brand = String(decoding: head[8..<12], as: UTF8.self)
            switch brand {
            case "heic", "heix", "heim", "heis", "hevc", "hevx": return "image/heic"
            case "mif1", "msf1": return "image/heif"
            case "M4A ", "M4B ": return "audio/mp4"
            case "qt  ": return "video/quicktime"
            case _ where brand.hasPrefix("3gp") || brand.hasPrefix("3g2"): return "video/3gpp"
            default: return "video/mp4"
            }
        }
        if box == ascii("moov") || box == ascii("mdat") || box == ascii("wide") || box == ascii("free") {
            return "video/quicktime"
        }
        return nil
    }

    /// An MP3 without an ID3 tag starts with a frame header: eleven set sync bits, an MPEG version that is not the
    /// reserved one, and a layer that is not the reserved one (ADTS AAC has layer 00 and is not MP3).
    private static func isMPEGAudioFrame(_ head: [UInt8]) -> Bool {
        guard head.count >= 4, head[0] == 0xFF, head[1] & 0xE0 == 0xE0 else { return false }
        let version = (head[1] >> 3) & 0x03
        let layer = (head[1] >> 1) & 0x03
        let bitrate = head[2] >> 4
        let sampleRate = (head[2] >> 2) & 0x03
        return version != 0x01 && layer != 0x00 && bitrate != 0x0F && sampleRate != 0x03
    }

    /// UTF-8 with no control characters but tab, line feed, form feed and carriage return. A multi-byte character
    /// cut by the end of `head` still counts as text; an empty file does not (it says nothing).
    private static func isPlainText(_ head: [UInt8]) -> Bool {
        guard !head.isEmpty else { return false }
        var bytes = head[...]
        // Drop a character cut short by the sniff limit: up to three continuation bytes after a lead byte.
        if head.count == sniffBytes, let lead = bytes.suffix(4).lastIndex(where: { $0 & 0xC0 != 0x80 }),
           bytes[lead] >= 0xC0 {
            let needed = bytes[lead] >= 0xF0 ? 4 : bytes[lead] >= 0xE0 ? 3 : 2
            if bytes.endIndex - lead < needed { bytes = bytes[..<lead] }
        }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                let value = scalar.value
                if value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0C && value != 0x0D { return false }
                if value == 0x7F || (0x80...0x9F).contains(value) { return false }
            case .emptyInput:
                return true
            case .error:
                return false
            }
        }
    }

    private static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
}

import AmanatIntake
import NIOHTTP1

/// The upload headers of the IETF resumable uploads draft, as structured fields (RFC 9651): `Upload-Length` and
/// `Upload-Offset` are Integers, `Upload-Complete` a Boolean (`?0` or `?1`). Only these forms are taken: no
/// parameters, one value per header.
enum UploadHeaders {
    /// The non-negative Integer in header `name`, which must be there once.
    static func integer(_ headers: HTTPHeaders, _ name: String) throws(IntakeError) -> Int {
        let values = headers[name]
        guard values.count == 1 else {
            throw IntakeError(.invalidUploadRequest, "send \(name) once, as a whole number of bytes")
        }
        let text = values[0].trimmingCharacters(in: " \t")
        // RFC 9651 section 3.3.1: at most 15 digits; a sign is of no use here.
        guard (1...15).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let value = Int(text)
        else {
            throw IntakeError(.invalidUploadRequest, "\(name) must be a whole number of bytes (at most 15 digits)")
        }
        return value
    }

    /// The Boolean in header `name`; nil when it is absent and not `required`.
    static func boolean(_ headers: HTTPHeaders, _ name: String, required: Bool) throws(IntakeError) -> Bool? {
        let values = headers[name]
        if values.isEmpty && !required { return nil }
        guard values.count == 1 else { throw IntakeError(.invalidUploadRequest, "send \(name) once, as ?0 or ?1") }
        switch values[0].trimmingCharacters(in: " \t") {
        case "?1": return true
        case "?0": return false
        default: throw IntakeError(.invalidUploadRequest, "\(name) must be ?0 or ?1")
        }
    }

    /// `Upload-Offset` and `Upload-Complete` of `upload`.
    static func state(_ upload: UploadStatus) -> [(String, String)] {
        [("Upload-Offset", String(upload.offset)), ("Upload-Complete", upload.isComplete ? "?1" : "?0")]
    }
}

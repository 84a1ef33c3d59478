import AmanatIntake
@testable import AmanatServer
import NIOHTTP1
import Testing

/// The upload headers as RFC 9651 structured fields: Integers of at most 15 digits, Booleans `?0` and `?1`.
@Suite("upload headers")
struct UploadHeadersTests {
    static func headers(_ pairs: [(String, String)]) -> HTTPHeaders { HTTPHeaders(pairs) }

    @Test("integers", arguments: [
        ("0", 0), ("1048576", 1_048_576), (" 42\t", 42), ("999999999999999", 999_999_999_999_999),
    ])
    func integers(text: String, value: Int) throws {
        #expect(try UploadHeaders.integer(Self.headers([("Upload-Offset", text)]), "Upload-Offset") == value)
    }

    @Test("malformed integers are 400 invalid-upload-request", arguments: [
        "", "-1", "+1", "1.0", "0x10", "1e3", "1000000000000000", "12 34", "?1",
    ])
    func malformed(text: String) {
        #expect(throws: IntakeError.self) {
            try UploadHeaders.integer(Self.headers([("Upload-Offset", text)]), "Upload-Offset")
        }
        let error = try? UploadHeaders.integer(Self.headers([]), "Upload-Offset")
        #expect(error == nil, "a missing header is refused too")
    }

    @Test("booleans: ?0 and ?1 only; a repeated header is refused")
    func booleans() throws {
        let name = "Upload-Complete"
        let yes = try UploadHeaders.boolean(Self.headers([(name, "?1")]), name, required: true)
        let no = try UploadHeaders.boolean(Self.headers([(name, "?0")]), name, required: true)
        #expect(yes == true && no == false)
        #expect(try UploadHeaders.boolean(Self.headers([]), "Upload-Complete", required: false) == nil)
        for text in ["1", "true", "?2", "?1;a=b", ""] {
            #expect(throws: IntakeError.self) {
                try UploadHeaders.boolean(Self.headers([("Upload-Complete", text)]), "Upload-Complete", required: true)
            }
        }
        #expect(throws: IntakeError.self) {
            try UploadHeaders.boolean(Self.headers([]), "Upload-Complete", required: true)
        }
        #expect(throws: IntakeError.self) {
            try UploadHeaders.integer(Self.headers([("Upload-Length", "1"), ("Upload-Length", "1")]), "Upload-Length")
        }
    }
}

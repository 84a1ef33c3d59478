import AmanatTestSupport
import Testing

/// FuzzAttachmentRequest's and FuzzAddendum's seeds and saved crash inputs, replayed through the fuzz targets' own
/// checks (FuzzProperties/ links them, and the shipped form's loader, from Fuzz/Sources), so that `make test` catches
/// a regression without libFuzzer.
@Suite struct IntakeFuzzCorpusTests {
    @Test("FuzzAttachmentRequest's and FuzzAddendum's corpora are found")
    func corporaAreFound() {
        #expect(FuzzCorpus.inputs("FuzzAttachmentRequest").count >= 20)
        #expect(FuzzCorpus.inputs("FuzzAddendum").count >= 10)
    }

    @Test("a body from FuzzAttachmentRequest's corpus keeps the fuzz target's properties",
          arguments: FuzzCorpus.inputs("FuzzAttachmentRequest"))
    func attachmentRequest(name: String) throws {
        let violation = attachmentRequestViolation(try FuzzCorpus.bytes("FuzzAttachmentRequest", name))
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }

    @Test("a body from FuzzAddendum's corpus keeps the fuzz target's properties",
          arguments: FuzzCorpus.inputs("FuzzAddendum"))
    func addendum(name: String) throws {
        let violation = addendumViolation(try FuzzCorpus.bytes("FuzzAddendum", name))
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }
}

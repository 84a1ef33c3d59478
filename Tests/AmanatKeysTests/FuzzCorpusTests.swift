import AmanatTestSupport
import Testing

/// FuzzEnvelope's, FuzzKeyFile's, FuzzAttachmentMetadata's and FuzzAttachmentStream's seeds and saved crash inputs,
/// replayed through the fuzz targets' own checks (FuzzProperties/ links them, and FuzzEnvelope's TEST-ONLY key, from
/// Fuzz/Sources), so that `make test` catches a regression without libFuzzer.
@Suite struct KeysFuzzCorpusTests {
    @Test("FuzzEnvelope's and FuzzKeyFile's corpora are found")
    func corporaAreFound() {
        #expect(FuzzCorpus.inputs("FuzzEnvelope").count >= 15)
        #expect(FuzzCorpus.inputs("FuzzKeyFile").count >= 10)
    }

    @Test("an envelope from FuzzEnvelope's corpus keeps the fuzz target's properties",
          arguments: FuzzCorpus.inputs("FuzzEnvelope"))
    func envelope(name: String) throws {
        let violation = envelopeViolation(try FuzzCorpus.bytes("FuzzEnvelope", name), keyRing: keyRing)
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }

    @Test("a key file from FuzzKeyFile's corpus keeps the fuzz target's properties",
          arguments: FuzzCorpus.inputs("FuzzKeyFile"))
    func keyFile(name: String) throws {
        let violation = keyFileViolation(try FuzzCorpus.bytes("FuzzKeyFile", name))
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }

    @Test("FuzzAttachmentMetadata's and FuzzAttachmentStream's corpora are found")
    func evidenceCorporaAreFound() {
        #expect(FuzzCorpus.inputs("FuzzAttachmentMetadata").count >= 15)
        #expect(FuzzCorpus.inputs("FuzzAttachmentStream").count >= 15)
    }

    @Test("a plaintext from FuzzAttachmentMetadata's corpus keeps the fuzz target's properties",
          arguments: FuzzCorpus.inputs("FuzzAttachmentMetadata"))
    func attachmentMetadata(name: String) throws {
        let violation = attachmentMetadataViolation(try FuzzCorpus.bytes("FuzzAttachmentMetadata", name))
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }

    @Test("a stream from FuzzAttachmentStream's corpus keeps the fuzz target's properties",
          arguments: FuzzCorpus.inputs("FuzzAttachmentStream"))
    func attachmentStream(name: String) throws {
        let violation = attachmentStreamViolation(try FuzzCorpus.bytes("FuzzAttachmentStream", name))
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }
}

import AmanatTestSupport
import Testing

/// FuzzUploadHeaders' seeds and saved crash inputs, replayed through the fuzz target's own check (FuzzProperties/
/// links it from Fuzz/Sources), so that `make test` catches a regression without libFuzzer.
@Suite struct ServerFuzzCorpusTests {
    @Test("FuzzUploadHeaders' corpus is found")
    func corpusIsFound() {
        #expect(FuzzCorpus.inputs("FuzzUploadHeaders").count >= 15)
    }

    @Test("a header block from FuzzUploadHeaders' corpus keeps the fuzz target's properties",
          arguments: FuzzCorpus.inputs("FuzzUploadHeaders"))
    func uploadHeaders(name: String) throws {
        let violation = uploadHeadersViolation(try FuzzCorpus.bytes("FuzzUploadHeaders", name))
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }
}

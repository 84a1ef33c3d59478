import AmanatTestSupport
import Testing

/// FuzzHTTPRequest's and FuzzFormFile's seeds and saved crash inputs, replayed through the fuzz targets' own checks
/// (FuzzProperties/ links them from Fuzz/Sources), so that `make test` catches a regression without libFuzzer.
@Suite struct FormsFuzzCorpusTests {
    @Test("FuzzHTTPRequest's corpus and regressions are found")
    func httpCorpusIsFound() {
        #expect(FuzzCorpus.inputs("FuzzHTTPRequest").count >= 30)
    }

    @Test("an HTTP request from FuzzHTTPRequest's corpus keeps the fuzz target's properties",
          arguments: FuzzCorpus.inputs("FuzzHTTPRequest"))
    func httpRequest(name: String) throws {
        let violation = httpRequestViolation(try FuzzCorpus.bytes("FuzzHTTPRequest", name))
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }

    @Test("FuzzFormFile's corpus and its toml++ abort regressions are found")
    func formFileCorpusIsFound() {
        let inputs = FuzzCorpus.inputs("FuzzFormFile")
        #expect(inputs.count >= 20)
        #expect(inputs.filter { $0.hasPrefix("regressions/") }.count >= 3)
    }

    @Test("a form file from FuzzFormFile's corpus or regressions keeps the fuzz target's properties",
          arguments: FuzzCorpus.inputs("FuzzFormFile"))
    func formFile(name: String) throws {
        let violation = formFileViolation(try FuzzCorpus.bytes("FuzzFormFile", name))
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }
}

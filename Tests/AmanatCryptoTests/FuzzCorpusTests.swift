import AmanatTestSupport
import Testing

/// FuzzPublicKeyText's seeds and saved crash inputs, replayed through the fuzz target's own check (FuzzProperties/
/// links it from Fuzz/Sources), so that `make test` catches a regression without libFuzzer.
@Suite struct CryptoFuzzCorpusTests {
    @Test("FuzzPublicKeyText's corpus is found")
    func corpusIsFound() {
        #expect(FuzzCorpus.inputs("FuzzPublicKeyText").count >= 10)
    }

    @Test("a key text from FuzzPublicKeyText's corpus keeps the fuzz target's property",
          arguments: FuzzCorpus.inputs("FuzzPublicKeyText"))
    func publicKeyText(name: String) throws {
        let violation = publicKeyTextViolation(try FuzzCorpus.bytes("FuzzPublicKeyText", name))
        #expect(violation == nil, "\(name): \(violation ?? "")")
    }
}

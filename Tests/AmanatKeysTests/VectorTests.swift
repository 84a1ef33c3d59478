import AmanatCrypto
@testable import AmanatKeys
import AmanatFormat
import AmanatForms
import Foundation
import Testing

/// Runs every file under Tests/Vectors/ as its own test case. The vectors come from Tests/Vectors/generate.py,
/// an independent implementation in Python with PyNaCl.
@Suite struct VectorTests {
    // MARK: - The vector set itself

    @Test(arguments: Vector.kinds)
    func directoryIsNonEmptyAndWellFormed(_ kind: String) {
        let vectors = Vector.load(kind)
        #expect(!vectors.isEmpty, "no vectors in Tests/Vectors/\(kind)")
        for vector in vectors {
            #expect(vector.problem == nil, "\(vector.testDescription): \(vector.problem ?? "")")
        }
    }

    /// Every outcome the code can produce is covered by at least one vector, and no vector names an unknown one.
    @Test(arguments: [
        ("envelope", Set(EnvelopeExpectation.all.keys)),
        ("keyfile", Set(KeyFileExpectation.all.keys)),
        ("pubkey", Set(PublicKeyExpectation.all.keys)),
    ])
    func everyOutcomeIsCovered(_ kind: String, _ outcomes: Set<String>) {
        let used = Set(Vector.load(kind).map(\.expect))
        #expect(used == outcomes, "missing: \(outcomes.subtracting(used)); unknown: \(used.subtracting(outcomes))")
    }

    // MARK: - Envelopes

    @Test(arguments: Vector.load("envelope"))
    func envelope(_ vector: Vector) throws {
        let expectation = try #require(EnvelopeExpectation.all[vector.expect], "unknown expect: \(vector.expect)")
        let bytes = try #require(Hex.decode(try vector.field("envelope")))
        let section = try #require(Section(rawValue: try vector.field("section")))
        let recordID = try #require(RecordID(text: try vector.field("record_id")))
        let publicKey = try RecipientPublicKey(text: try vector.field("public_key"))
        let secretKey = try #require(Hex.decode(try vector.field("secret_key")))
        let key = try RecipientSecretKey(secret: try secret(secretKey), publicBytes: publicKey.bytes)
        let ring = KeyRing(keys: [key])

        let decoded = Result { () throws(EnvelopeError) in try Envelope(decoding: bytes) }
        let opened = Result { () throws(OpenError) in try ring.open(bytes, section: section, recordID: recordID) }

        switch expectation {
        case .ok:
            let plaintext = Array(try vector.field("plaintext").utf8)
            let envelope = try decoded.get()
            #expect(envelope.name == Envelope.Name(section))
            #expect(envelope.recordID == recordID)
            #expect(envelope.encoded() == bytes, "decoding then encoding changed the bytes")
            // A bucket, but not necessarily the smallest: readers must not require that (FORMAT.md 5).
            let padded = envelope.ciphertext.count - XChaCha20Poly1305.tagLength
            #expect(Padding.isBucket(padded) && padded > plaintext.count)
            #expect(try opened.get() == plaintext)
        case .malformed(let kind):
            switch decoded {
            case .success: Issue.record("decoded, but expected \(kind)")
            case .failure(let error):
                #expect(error.kind == kind)
                // KeyRing.open reports the same structural error as tampering.
                #expect(opened.failureKind == .tampered("\(error)"))
            }
        case .openFailure(let expected):
            _ = try decoded.get()  // structurally valid: the failure comes later
            #expect(opened.failureKind == expected)
        }
    }

    // MARK: - Secret key files

    @Test(arguments: Vector.load("keyfile"))
    func keyFile(_ vector: Vector) throws {
        let expectation = try #require(KeyFileExpectation.all[vector.expect], "unknown expect: \(vector.expect)")
        // Guards against a checkout that converted line endings: the vector would silently test something else.
        let body = vector.body
        let hasCRLF = body.indices.dropFirst().contains { body[$0] == 0x0A && body[$0 - 1] == 0x0D }
        #expect(hasCRLF == (try vector.field("line_endings") == "crlf"), "line endings were altered in the checkout")

        let text = String(decoding: vector.body, as: UTF8.self)
        let parsed = Result { () throws(KeyFileError) in try SecretKeyFile(text: text) }

        // The same bytes read from a 0600 file give the same outcome, with the path attached to errors.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("key")
        try directory.write(vector.body, to: "key", mode: 0o600)
        let read = Result { () throws(KeyFileError) in try SecretKeyFile.read(path: path) }
        switch (parsed, read) {
        case (.success(let fromText), .success(let fromFile)): #expect(fromText == fromFile)
        case (.failure(let fromText), .failure(let fromFile)):
            #expect(fromText.kind == fromFile.kind)
            #expect(fromText.path == nil)
            #expect(fromFile.path == path)
        default: Issue.record("init(text:) and read(path:) disagree: \(parsed) vs \(read)")
        }

        let passphrase = try secret(try vector.field("passphrase"))
        switch expectation {
        case .parseFailure(let kind):
            #expect(parsed.failureKind == kind)
        case .unlockFailure(let kind):
            let file = try parsed.get()
            #expect(Result { () throws(KeyFileError) in try file.unlock(passphrase: passphrase) }.failureKind == kind)
        case .ok:
            let file = try parsed.get()
            let publicKey = try RecipientPublicKey(text: try vector.field("public_key"))
            #expect(file.publicKey == publicKey)
            #expect(file.parameters.opsLimit == UInt32(try vector.field("opslimit")))
            #expect(file.parameters.memLimit == UInt64(try vector.field("memlimit")))
            let key = try file.unlock(passphrase: passphrase)
            #expect(key.publicKey == publicKey)
            let expected = try #require(Hex.decode(try vector.field("secret_key")))
            #expect(try secret(expected) == key.secret)
        }
    }

    // MARK: - Public key text

    @Test(arguments: Vector.load("pubkey"))
    func publicKeyText(_ vector: Vector) throws {
        let expectation = try #require(PublicKeyExpectation.all[vector.expect], "unknown expect: \(vector.expect)")
        let text = try vector.field("text")
        let parsed = Result { () throws(PublicKeyTextError) in try RecipientPublicKey(text: text) }
        switch expectation {
        case .ok:
            let key = try parsed.get()
            #expect(Hex.encode(key.bytes) == (try vector.field("public_key")))
            #expect(Hex.encode(key.keyID) == (try vector.field("key_id")))
            #expect(key.text == text)
            #expect(text.utf8.count == RecipientPublicKey.textLength)
        case .failure(let kind):
            #expect(parsed.failureKind == kind)
        }
    }
}

// MARK: - Expectations: the `expect:` values and what each means for the code

enum EnvelopeExpectation {
    case ok
    /// Envelope(decoding:) refuses the bytes; KeyRing.open reports it as tampering.
    case malformed(EnvelopeError.Kind)
    /// The envelope is well formed but KeyRing.open refuses it.
    case openFailure(OpenError.Kind)

    static let all: [String: EnvelopeExpectation] = [
        "ok": .ok,
        "bad magic": .malformed(.badMagic),
        "unsupported version": .malformed(.unsupportedVersion),
        "bad section": .malformed(.badSection),
        "bad stanza count": .malformed(.badStanzaCount),
        "bad ciphertext length": .malformed(.badCiphertextLength),
        "truncated": .malformed(.truncated),
        "trailing bytes": .malformed(.trailingBytes),
        "no matching key": .openFailure(.noMatchingKey),
        "record id mismatch": .openFailure(.tampered("envelope is for another record")),
        "section mismatch": .openFailure(.tampered("envelope is for another section")),
        "auth failure": .openFailure(.tampered("authentication failed")),
        "bad padding": .openFailure(.tampered("bad padding")),
        "stanza does not open": .openFailure(.tampered("a recipient stanza does not open")),
    ]
}

enum KeyFileExpectation {
    case ok
    /// SecretKeyFile(text:) refuses the text, before any key derivation.
    case parseFailure(KeyFileError.Kind)
    /// The text parses but unlock refuses it.
    case unlockFailure(KeyFileError.Kind)

    static let all: [String: KeyFileExpectation] = [
        "ok": .ok,
        "bad format": .parseFailure(.badFormat),
        "unsupported version": .parseFailure(.unsupportedVersion),
        "unacceptable parameters": .parseFailure(.unacceptableParameters),
        "public key mismatch": .parseFailure(.publicKeyMismatch),
        "wrong passphrase": .unlockFailure(.wrongPassphrase),
        "corrupt": .unlockFailure(.corrupt),
    ]
}

enum PublicKeyExpectation {
    case ok
    case failure(PublicKeyTextError.Kind)

    static let all: [String: PublicKeyExpectation] = [
        "ok": .ok,
        "bad prefix": .failure(.badPrefix),
        "bad length": .failure(.badLength),
        "bad character": .failure(.badCharacter),
        "bad checksum": .failure(.badChecksum),
        "weak key": .failure(.weakKey),
    ]
}

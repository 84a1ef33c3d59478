import AmanatCrypto
import AmanatKeys
import AmanatFormat
import AmanatForms

/// The TEST-ONLY recipient key that every vector in Tests/Vectors/envelope is sealed to (their `secret_key:`,
/// public key amanat-pk-ur5mcypi…), in a key file whose passphrase is "fuzz". Made with Tests/Vectors/generate.py's
/// `keyfile_body(secret, public, "fuzz", "fuzz envelope key")`. Never use it for real data.
///
/// With this key the fuzzer starts from envelopes that open, so it reaches the sealed box, the AEAD and the
/// padding checks, not only the structural parser.
private let testKeyFile = """
    # amanat secret key file. TEST-ONLY: the envelope vectors' key, for the fuzzer. Passphrase: fuzz
    # public key: amanat-pk-ur5mcypizl4wv6tvb65ll3b4nbolrsw5cvxrgzy2zyyc5sbzrysde7emba
    AMANAT-SECRET-KEY-1
    QU1TSwEBAAAAAwAAAAAQAAAAQQXXp31Nno3fWmyKL5DiNqR6wWHoyvlq+nUPurXsPGhcuMrdFW8TZxrOMC7IOY4ky2pX1/Xsifga1s5pVQJEU3N1tM/A8padAugowdC1+hezpwxvmqQHQsm+AHX+vNMIfNDUf1D5/z1y/eW/8fle/J1h3b3dclFA

    """

/// The key ring the target opens envelopes with, unlocked once per process (one Argon2id run at 256 MiB).
nonisolated(unsafe) let keyRing: KeyRing = {
    do {
        try Sodium.initialise()
        let passphrase = try Array("fuzz".utf8).withUnsafeBytes { bytes throws(CryptoError) in
            try SecretBytes(copying: bytes)
        }
        let key = try SecretKeyFile(text: testKeyFile).unlock(passphrase: passphrase)
        return KeyRing(keys: [key])
    } catch {
        fatalError("FuzzEnvelope: cannot unlock the built-in test key: \(error)")
    }
}()

/// The record id every envelope vector is sealed for.
let vectorRecordID = RecordID(text: "00112233445566778899aabbccddeeff")!

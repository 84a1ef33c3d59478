import AmanatCrypto
import AmanatKeys
import ArgumentParser

extension KeyHolder {
    struct Signer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the rewrap-signing key derived from a secret key file, for amanatd's rewrap_signers.",
            discussion: """
                `rewrap` signs the files it makes with an Ed25519 key derived from a secret key file (--sign-with, \
                by default the first --key); amanatd imports only files signed by a key in its rewrap_signers. The \
                key is derived from the secret key, so this needs the passphrase. Prints amanat-sig-….
                """
        )

        @Argument(help: "The secret key file.") var keyFile: String
        @Option(name: .customLong("passphrase-file"), help: "Read the passphrase from this file.")
        var passphraseFile: String?

        func run() throws {
            initialiseSodium()
            let key = unlockKeys([keyFile], passphraseFile: passphraseFile)[0]
            do {
                print(try RewrapSigningKey(derivedFrom: key).publicKey.text)
            } catch {
                fail("\(error)")
            }
        }
    }
}

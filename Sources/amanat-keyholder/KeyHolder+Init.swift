import AmanatCrypto
import AmanatKeys
import ArgumentParser

extension KeyHolder {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a recipient key pair and write a passphrase-protected secret key file.",
            discussion: """
                The last line of output is the public key, for amanatd's --recipient. A passphrase estimated to need \
                fewer than 10^16 guesses is refused, with the estimate and what it means against the key file's \
                Argon2id.
                """
        )

        @Option(help: "Where to write the secret key file. It must not exist yet.") var out: String
        @Option(name: .customLong("passphrase-file"), help: "Read the passphrase from the first line of this file.")
        var passphraseFile: String?
        @Flag(name: .customLong("generate-passphrase"), help: generatePassphraseHelp) var generatePassphrase = false

        func validate() throws {
            try validateGenerating(generatePassphrase, file: passphraseFile, option: "--passphrase-file")
        }

        func run() throws {
            initialiseSodium()
            let passphrase = chooseNewPassphrase(
                file: passphraseFile, generate: generatePassphrase, prompt: "passphrase for the new key "
            )
            do {
                let key = try RecipientSecretKey.generate()
                let file = try SecretKeyFile.seal(key, passphrase: passphrase)
                try file.write(path: out)
                note("wrote secret key file \(out); keep it offline and back it up")
                print(key.publicKey.text)
            } catch let error as KeyFileError {
                fail(error.description, code: exitStatus(for: error))
            } catch {
                fail("\(error)")
            }
        }
    }

    struct PublicKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pubkey", abstract: "Print a secret key file's public key. Needs no passphrase."
        )

        @Argument(help: "The secret key file.") var keyFile: String

        func run() throws {
            initialiseSodium()
            do {
                print(try SecretKeyFile.read(path: keyFile).publicKey.text)
            } catch {
                fail(error.description, code: exitStatus(for: error))
            }
        }
    }
}

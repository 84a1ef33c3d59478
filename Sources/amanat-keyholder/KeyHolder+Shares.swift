import AmanatCrypto
import AmanatKeys
import ArgumentParser
import Foundation
import Glibc

extension KeyHolder {
    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split a secret key into SLIP-39 mnemonic shares, any --threshold of which recover it.",
            discussion: """
                DIR gets one file per share (share-N-of-M.txt, mode 0600, never overwritten), holding just its
                mnemonic. Give each share to a different person. Nothing secret is printed.
                """
        )

        @Argument(help: "The secret key file.") var keyFile: String
        @Option(help: "How many shares recover the key.") var threshold: Int
        @Option(help: "How many shares to make (at most 16).") var shares: Int
        @Option(name: .customLong("out-dir"), help: "Directory for the share files (created 0700 if missing).")
        var outDir: String
        @Option(name: .customLong("passphrase-file"), help: "Read the key file's passphrase from this file.")
        var passphraseFile: String?
        @Option(name: .customLong("share-passphrase-file"), help: "A SLIP-39 passphrase for the shares (default empty).")
        var sharePassphraseFile: String?

        func validate() throws {
            guard (1...16).contains(shares), (1...shares).contains(threshold) else {
                throw ValidationError("--threshold must be 1 to --shares, and --shares 1 to 16")
            }
            guard threshold > 1 || shares == 1 else { throw ValidationError("a threshold of 1 needs exactly 1 share") }
        }

        func run() throws {
            initialiseSodium()
            let key = unlockKeys([keyFile], passphraseFile: passphraseFile)[0]
            let sharePassphrase = readSharePassphrase(sharePassphraseFile)
            let mnemonics: [String]
            do {
                mnemonics = try key.splitShares(threshold: threshold, shares: shares, passphrase: sharePassphrase)
            } catch {
                fail(error.description)
            }
            if mkdir(outDir, 0o700) != 0 && errno != EEXIST {
                fail("cannot create \(outDir): \(String(cString: strerror(errno)))")
            }
            var written: [String] = []
            for (index, mnemonic) in mnemonics.enumerated() {
                let path = "\(outDir)/share-\(index + 1)-of-\(shares).txt"
                do {
                    let sink = try OutputSink(creating: path)
                    try sink.write(Array((mnemonic + "\n").utf8))
                    try sink.close()
                    written.append(path)
                } catch {
                    written.forEach { unlink($0) }
                    fail(error.description)
                }
            }
            note("wrote \(shares) shares to \(outDir); any \(threshold) recover \(key.publicKey.text)")
        }
    }

    struct Combine: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recover a secret key from SLIP-39 shares and write a new passphrase-protected key file.",
            discussion: """
                Shares come from the files given, or else are asked for on the terminal, with echo off. The
                recovered public key is printed last: compare it with the one you know, since a wrong
                --share-passphrase-file yields a different key rather than an error.
                """
        )

        @Option(help: "The key file to create (mode 0600, never overwritten).") var out: String
        @Option(name: .customLong("passphrase-file"), help: "Read the new key file's passphrase from this file.")
        var passphraseFile: String?
        @Option(name: .customLong("share-passphrase-file"), help: "The shares' SLIP-39 passphrase (default empty).")
        var sharePassphraseFile: String?
        @Argument(help: "Files each holding one share's mnemonic.") var shareFiles: [String] = []

        func run() throws {
            initialiseSodium()
            let mnemonics = shareFiles.isEmpty ? promptShares() : shareFiles.map(readShare)
            let sharePassphrase = readSharePassphrase(sharePassphraseFile)
            let key: RecipientSecretKey
            do {
                key = try RecipientSecretKey.recover(fromShares: mnemonics, passphrase: sharePassphrase)
            } catch {
                fail("\(error)")
            }
            let passphrase: SecretBytes
            do {
                if let passphraseFile {
                    passphrase = try Passphrase.read(file: passphraseFile)
                } else {
                    passphrase = try Passphrase.prompt("passphrase for the new key file: ", confirm: true)
                }
            } catch {
                fail(error.description)
            }
            guard passphrase.count >= 1 else { fail("the passphrase is empty") }
            do {
                try SecretKeyFile.seal(key, passphrase: passphrase).write(path: out)
            } catch let error as KeyFileError {
                fail(error.description, code: exitStatus(for: error))
            } catch {
                fail("\(error)")
            }
            note("wrote \(out)")
            print(key.publicKey.text)
        }

        private func readShare(_ path: String) -> String {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else { fail("cannot read share file \(path)") }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Asks for shares one at a time until the first share's threshold is reached.
        private func promptShares() -> [String] {
            var mnemonics: [String] = []
            var needed = 1
            while mnemonics.count < needed {
                let entered: SecretBytes
                do {
                    entered = try Passphrase.prompt("share \(mnemonics.count + 1) of \(needed == 1 ? "?" : String(needed)): ",
                                                    confirm: false)
                } catch {
                    fail(error.description)
                }
                let mnemonic = entered.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                do {
                    needed = try SLIP39.inspect(mnemonic).memberThreshold
                } catch {
                    fail("share \(mnemonics.count + 1): \(error.description)")
                }
                mnemonics.append(mnemonic)
            }
            return mnemonics
        }
    }
}

/// The SLIP-39 passphrase: empty unless a file is given.
func readSharePassphrase(_ path: String?) -> SecretBytes {
    do {
        if let path { return try Passphrase.read(file: path) }
        return try SecretBytes(count: 0)
    } catch {
        fail("\(error)")
    }
}

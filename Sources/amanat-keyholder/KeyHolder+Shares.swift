import AmanatCrypto
import AmanatKeys
import AmanatPartialFiles
import ArgumentParser
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
            let mnemonics: [SecretBytes]
            do {
                mnemonics = try key.splitShares(threshold: threshold, shares: shares, passphrase: sharePassphrase)
            } catch {
                fail(error.description)
            }
            if mkdir(outDir, 0o700) != 0 && errno != EEXIST {
                fail("cannot create \(outDir): \(String(cString: strerror(errno)))")
            }
            for (index, mnemonic) in mnemonics.enumerated() {
                let path = "\(outDir)/share-\(index + 1)-of-\(shares).txt"
                do {
                    let sink = try OutputSink(creating: path)
                    // Straight from protected memory to the file; only the line feed goes through the buffer.
                    try mnemonic.withUnsafeBytes { (bytes) throws(OutputSink.Failure) in
                        try sink.write(unbuffered: bytes)
                    }
                    try sink.write([UInt8(ascii: "\n")])
                    try sink.close()
                } catch {
                    // fail removes the shares written so far: an incomplete set is of no use.
                    fail(error.description)
                }
                mnemonic.wipe()
            }
            PartialFiles.keep()
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
        @Flag(name: .customLong("generate-passphrase"), help: generatePassphraseHelp) var generatePassphrase = false
        @Option(name: .customLong("share-passphrase-file"), help: "The shares' SLIP-39 passphrase (default empty).")
        var sharePassphraseFile: String?
        @Argument(help: "Files each holding one share's mnemonic.") var shareFiles: [String] = []

        /// The longest share file read: a 33-word share is under 300 bytes.
        static let maximumShareFileLength = 4096

        func validate() throws {
            try validateGenerating(generatePassphrase, file: passphraseFile, option: "--passphrase-file")
        }

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
            mnemonics.forEach { $0.wipe() }
            let passphrase = chooseNewPassphrase(
                file: passphraseFile, generate: generatePassphrase, prompt: "passphrase for the new key file "
            )
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

        /// The share file at `path`, read with read(2) straight into protected memory, so that the mnemonic never
        /// passes through an ordinary buffer. Surrounding whitespace and line endings are left to the SLIP-39
        /// parser, which splits words on any ASCII whitespace. Files longer than ``maximumShareFileLength`` are
        /// refused.
        private func readShare(_ path: String) -> SecretBytes {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { fail("cannot read share file \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let buffer: SecretBytes
            do {
                // One byte more than allowed, to tell a file of exactly the limit from a longer one.
                buffer = try SecretBytes(count: Self.maximumShareFileLength + 1)
            } catch {
                fail("\(error)")
            }
            defer { buffer.wipe() }
            var length = 0
            let failure: Int32 = buffer.withUnsafeMutableBytes { bytes in
                while length < bytes.count {
                    let n = Glibc.read(fd, bytes.baseAddress! + length, bytes.count - length)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { return errno }
                    if n == 0 { break }
                    length += n
                }
                return 0
            }
            guard failure == 0 else { fail("cannot read share file \(path): \(String(cString: strerror(failure)))") }
            guard length <= Self.maximumShareFileLength else {
                fail("share file \(path) is longer than \(Self.maximumShareFileLength) bytes: not a share")
            }
            do {
                return try buffer.slice(0..<length)
            } catch {
                fail("\(error)")
            }
        }

        /// Asks for shares one at a time until the first share's threshold is reached.
        private func promptShares() -> [SecretBytes] {
            var mnemonics: [SecretBytes] = []
            var needed = 1
            while mnemonics.count < needed {
                let entered: SecretBytes
                do {
                    entered = try Passphrase.prompt("share \(mnemonics.count + 1) of \(needed == 1 ? "?" : String(needed)): ",
                                                    confirm: false)
                } catch {
                    fail(error.description)
                }
                do {
                    needed = try SLIP39.inspect(mnemonicBytes: entered).memberThreshold
                } catch {
                    fail("share \(mnemonics.count + 1): \(error.description)")
                }
                mnemonics.append(entered)
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

import AmanatSealing
import AmanatCrypto
import AmanatKeys
import AmanatFormat
import AmanatForms
import AmanatPartialFiles
import ArgumentParser
import Glibc

extension KeyHolder {
    struct Rewrap: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reseal every record a key opens to new recipients, offline, into a rewrap file.",
            discussion: """
                The copy is verified first, as `open` does (--signing-key, --no-verify; exit 7 on a broken one): \
                resealing forged envelopes would make them look authentic. Each section that opens gets a new \
                envelope for the --to keys: a new data key and nonce, the same plaintext. The file is signed with the \
                rewrap-signing key derived from --sign-with (default: the first --key; `amanat-keyholder signer` \
                prints it), which amanatd must list in rewrap_signers. An admin imports the file with \
                `amanat import-rewrap`; afterwards the old keys open nothing the file covered. Exit codes as for \
                open: 5 when some section could not be opened, 6 when some was tampered with (such sections are left \
                out of the file).
                """
        )

        @Argument(help: "A copy of the amanat database (opened read-only).") var database: String
        @Option(name: .customLong("key"), help: "An old secret key file (repeatable).") var keys: [String] = []
        @Option(name: .customLong("to"), help: "A new recipient for both sections, amanat-pk-… (repeatable).")
        var recipients: [String] = []
        @Option(name: .customLong("identity-to"), help: "A new recipient for the identity section only (repeatable).")
        var identityRecipients: [String] = []
        @Option(name: .customLong("testimony-to"), help: "A new recipient for the testimony section only (repeatable).")
        var testimonyRecipients: [String] = []
        @OptionGroup var sections: SectionsOption
        @Option(name: .customLong("passphrase-file"), help: "Read the passphrase (for every key) from this file.")
        var passphraseFile: String?
        @Option(help: "The rewrap file to create (mode 0600, never overwritten).") var out: String
        @Option(
            name: .customLong("sign-with"),
            help: "Sign the file with the rewrap-signing key derived from this secret key file (default: the first --key)."
        )
        var signWith: String?
        @OptionGroup var signing: SigningKeyOption
        @OptionGroup var heads: HeadsOption
        @Flag(help: "Rewrap even a copy that fails verification (its envelopes may be forged).") var noVerify = false

        func validate() throws {
            guard !keys.isEmpty else { throw ValidationError("give at least one --key") }
            try requirePinnedKey(signing, heads, noVerify: noVerify)
            for section in requestedSections {
                let texts = recipients + (section == .identity ? identityRecipients : testimonyRecipients)
                let count = Set(texts.map(KeyTextInput.trimmed)).count
                guard (1...16).contains(count) else {
                    throw ValidationError("the \(section.rawValue) section needs 1 to 16 new keys (--to, --\(section.rawValue)-to)")
                }
            }
        }

        private func parse(_ texts: [String], option: String) -> [RecipientPublicKey] {
            texts.enumerated().map { index, text in
                do {
                    return try RecipientPublicKey(input: text)
                } catch {
                    fail("\(option) \(index + 1): \(error)")
                }
            }
        }

        private func unique(_ keys: [RecipientPublicKey]) -> [RecipientPublicKey] {
            var seen: Set<RecipientPublicKey> = []
            return keys.filter { seen.insert($0).inserted }
        }

        private var requestedSections: [Section] { sections.requested }

        func run() throws {
            initialiseSodium()
            let both = parse(recipients, option: "--to")
            let newKeys: [Section: [RecipientPublicKey]] = [
                .identity: unique(both + parse(identityRecipients, option: "--identity-to")),
                .testimony: unique(both + parse(testimonyRecipients, option: "--testimony-to")),
            ]
            // The signing key's file is unlocked with the others, before any output.
            let unlocked = unlockKeys(keys + (signWith.map { [$0] } ?? []), passphraseFile: passphraseFile)
            let ring = KeyRing(keys: Array(unlocked.prefix(keys.count)))
            let signer: RewrapSigningKey
            do {
                signer = try RewrapSigningKey(derivedFrom: signWith == nil ? unlocked[0] : unlocked[keys.count])
            } catch {
                fail("\(error)")
            }
            let archive = try verifiedArchives([database], signing: signing, heads: heads, noVerify: noVerify, doing: "rewrap")[0]
            // Created first: an existing --out stops the command before any work, and nothing is overwritten.
            let sink: OutputSink
            do {
                sink = try OutputSink(creating: out)
            } catch {
                fail(error.description)
            }
            var entries: [RewrapFile.Entry] = []
            var tally = Tally()
            do {
                try archive.forEach { record in
                    // A withdrawn record has nothing left to rewrap.
                    guard !record.withdrawn else { return }
                    var entry = RewrapFile.Entry(
                        recordID: record.recordID, identity: nil, testimony: nil, replaces: record.digest
                    )
                    var problems: [String] = []
                    for section in requestedSections {
                        let old = section == .identity ? record.identityEnvelope : record.testimonyEnvelope
                        do {
                            var plaintext = try ring.open(old, section: section, recordID: record.recordID)
                            defer { wipe(&plaintext) }
                            // As large as the old one: re-padding to the smallest bucket would undo the form's minimum.
                            // Minimums stop at 64 KiB (FORMAT.md section 10.2); larger sections get their own bucket.
                            let oldPadded = ((try? Envelope(decoding: old))?.ciphertext.count ?? 0)
                                - XChaCha20Poly1305.tagLength
                            let sealed = try Envelope.seal(
                                plaintext, section: section, recordID: record.recordID, recipients: newKeys[section]!,
                                minimumPaddedSize: Form.isValidMinimumPaddedSize(oldPadded) ? oldPadded : 0
                            ).encoded()
                            if section == .identity { entry.identity = sealed } else { entry.testimony = sealed }
                        } catch let error as OpenError {
                            problems.append("\(section.rawValue): \(error.description)")
                            if case .tampered = error.kind { tally.tampered += 1 } else { tally.unopened += 1 }
                        }
                    }
                    if !problems.isEmpty { warn("record \(record.recordID): " + problems.joined(separator: "; ")) }
                    if entry.identity != nil || entry.testimony != nil {
                        entries.append(entry)
                        tally.opened += 1
                    }
                }
                try sink.write(RewrapFile(entries: entries).encoded(signedBy: signer.publicKey, sign: signer.sign))
                try sink.close()
                PartialFiles.keep()
            } catch {
                fail("\(error)", code: error is ArchiveChanged ? Exit.inconsistent : Exit.failure)
            }
            note("rewrapped \(entries.count) records into \(out), signed by \(signer.publicKey.text); "
                 + "\(tally.unopened) sections not openable, \(tally.tampered) tampered")
            if tally.tampered > 0 { throw ExitCode(Exit.tampered) }
            if tally.unopened > 0 { throw ExitCode(Exit.unopened) }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a secret key file's passphrase.",
            discussion: """
                The key file is replaced atomically: a crash leaves either the old file or the new one. A new \
                passphrase estimated to need fewer than 10^16 guesses is refused, as by init.
                """
        )

        @Argument(help: "The secret key file.") var keyFile: String
        @Option(name: .customLong("passphrase-file"), help: "Read the current passphrase from this file.")
        var passphraseFile: String?
        @Option(name: .customLong("new-passphrase-file"), help: "Read the new passphrase from this file.")
        var newPassphraseFile: String?
        @Flag(name: .customLong("generate-passphrase"), help: generatePassphraseHelp) var generatePassphrase = false

        func validate() throws {
            try validateGenerating(generatePassphrase, file: newPassphraseFile, option: "--new-passphrase-file")
        }

        func run() throws {
            initialiseSodium()
            let key = unlockKeys([keyFile], passphraseFile: passphraseFile)[0]
            let newPassphrase = chooseNewPassphrase(
                file: newPassphraseFile, generate: generatePassphrase, prompt: "new passphrase "
            )
            do {
                try SecretKeyFile.seal(key, passphrase: newPassphrase).replace(path: keyFile)
            } catch let error as KeyFileError {
                fail(error.description, code: exitStatus(for: error))
            } catch {
                fail("\(error)")
            }
            note("changed the passphrase of \(keyFile)")
        }
    }
}

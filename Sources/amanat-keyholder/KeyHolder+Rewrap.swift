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
                envelope for the --to keys: a new data key and nonce, the same plaintext; so does each attachment's \
                key and metadata (for the keys of the section it is sealed to; its stream stays as it is) and each \
                addendum (for the testimony keys). The file is signed with the \
                rewrap-signing key derived from --sign-with (default: the first --key; `amanat-keyholder signer` \
                prints it), which amanatd must list in rewrap_signers. An admin imports the file with \
                `amanat import-rewrap`; afterwards the old keys open nothing the file covered. Exit codes as for \
                open: 5 when some envelope could not be opened, 6 when some was tampered with (such envelopes are left \
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

        /// Opens `old` with `ring` and seals its content again to `recipients` (FORMAT.md section 9.2): a new data key
        /// and nonce, the same content, padded as large as before. Re-padding to the smallest bucket would undo a
        /// form's minimum; minimums stop at 64 KiB (FORMAT.md section 10.2), so larger contents get their own bucket.
        static func reseal(
            _ old: [UInt8], name: Envelope.Name, recordID: RecordID, with ring: KeyRing,
            to recipients: [RecipientPublicKey]
        ) throws -> [UInt8] {
            var plaintext = try ring.open(old, name: name, recordID: recordID)
            defer { wipe(&plaintext) }
            let oldPadded = ((try? Envelope(decoding: old))?.ciphertext.count ?? 0) - XChaCha20Poly1305.tagLength
            return try Envelope.seal(
                plaintext, name: name, recordID: recordID, recipients: recipients,
                minimumPaddedSize: Form.isValidMinimumPaddedSize(oldPadded) ? oldPadded : 0
            ).encoded()
        }

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
            var evidence: [RewrapFile.EvidenceEntry] = []
            var records = 0
            var tally = Tally()
            do {
                try archive.forEachExpecting { row in
                    let (record, found) = try row.checkedEntry()
                    // A withdrawn record has nothing left to rewrap.
                    guard !record.withdrawn else { return }
                    var entry = RewrapFile.Entry(
                        recordID: record.recordID, identity: nil, testimony: nil, replaces: record.digest
                    )
                    var problems: [String] = []
                    /// The envelope `old`, sealed again to `section`'s new keys; nil, counted, when it does not open.
                    func reseal(
                        _ old: [UInt8], name: Envelope.Name, to section: Section, what: String
                    ) throws -> [UInt8]? {
                        do {
                            return try Self.reseal(
                                old, name: name, recordID: record.recordID, with: ring, to: newKeys[section]!
                            )
                        } catch let error as OpenError {
                            problems.append("\(what): \(error.description)")
                            if case .tampered = error.kind { tally.tampered += 1 } else { tally.unopened += 1 }
                            return nil
                        }
                    }
                    for section in requestedSections {
                        let old = section == .identity ? record.identityEnvelope : record.testimonyEnvelope
                        let sealed = try reseal(old, name: Envelope.Name(section), to: section, what: section.rawValue)
                        if section == .identity { entry.identity = sealed } else { entry.testimony = sealed }
                    }
                    // Attachments go to the recipients of the section they are sealed to, addenda to the testimony's
                    // (FORMAT.md section 14): each only when that section is rewrapped. The streams stay as they are.
                    var resealed: [RewrapFile.EvidenceEntry] = []
                    for attachment in found.attachments where requestedSections.contains(attachment.sealedTo) {
                        let what = "attachment \(attachment.position)"
                        guard let sealed = try reseal(
                            attachment.envelope, name: .attachment, to: attachment.sealedTo, what: what
                        ) else { continue }
                        resealed.append(RewrapFile.EvidenceEntry(
                            kind: .attachment, id: attachment.attachmentID, recordID: record.recordID, envelope: sealed,
                            replaces: attachment.digest
                        ))
                    }
                    for addendum in found.addenda where requestedSections.contains(.testimony) {
                        let what = "addendum \(addendum.position)"
                        guard let sealed = try reseal(addendum.envelope, name: .addendum, to: .testimony, what: what)
                        else { continue }
                        resealed.append(RewrapFile.EvidenceEntry(
                            kind: .addendum, id: addendum.addendumID, recordID: record.recordID, envelope: sealed,
                            replaces: addendum.digest
                        ))
                    }
                    if !problems.isEmpty { warn("record \(record.recordID): " + problems.joined(separator: "; ")) }
                    if entry.identity != nil || entry.testimony != nil {
                        entries.append(entry)
                        tally.opened += 1
                    }
                    if entry.identity != nil || entry.testimony != nil || !resealed.isEmpty { records += 1 }
                    evidence += resealed
                    tally.attachments += resealed.count { $0.kind == .attachment }
                    tally.addenda += resealed.count { $0.kind == .addendum }
                }
                let file = RewrapFile(entries: entries, evidence: evidence)
                try sink.write(file.encoded(signedBy: signer.publicKey, sign: signer.sign))
                try sink.close()
                PartialFiles.keep()
            } catch {
                fail("\(error)", code: error is ArchiveChanged ? Exit.inconsistent : Exit.failure)
            }
            note("rewrapped \(records) records, \(tally.attachments) attachments and \(tally.addenda) addenda into "
                 + "\(out), signed by \(signer.publicKey.text); \(tally.unopened) envelopes not openable, "
                 + "\(tally.tampered) tampered")
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

import AmanatSealing
import Glibc
public import AmanatCrypto
public import AmanatFormat
public import AmanatForms
import AmanatJSON
public import Logging

/// The intake: submit, withdraw, rewrap and export, as functions of a principal and a body. It knows no HTTP,
/// no socket and no database: a transport adapter (amanatd's HTTP server; SSH arrives through the same socket)
/// calls it, an ``ArchiveWriter`` stores, a ``Notary`` signs. It throws one error type, ``IntakeError``.
///
/// Bodies arrive as async sequences of byte chunks, as the transport reads them; the core collects a
/// text body into one buffer (reserved to its announced length) and wipes it once sealed.
public struct IntakeCore: Sendable {
    /// What each operation requires of a principal. Adapters read it to refuse early (before a body is read);
    /// the core checks it again on every call, so an adapter cannot forget.
    public enum Operation: Sendable, CaseIterable {
        case health, listForms, readForm, readSigningKey, submit, withdraw, attach, addAddendum, importRewrap, export
        case checkSubmission
        case createUpload, readUpload, appendUpload, deleteUpload
        case saveDraft, readDraft, deleteDraft

        /// The least role that may perform it.
        public var role: Principal.Role {
            switch self {
            case .importRewrap, .export: .admin
            default: .submitter
            }
        }

        /// Whether it stores, changes or exports records. A log line of its own, at its exact time, would date
        /// the records it touches, so transports log none for it.
        public var datesRecords: Bool {
            switch self {
            // An upload's moments date the testimony it becomes part of.
            // A check comes just before the testimony and its uploads, so its moment dates them as well.
            case .submit, .checkSubmission, .withdraw, .attach, .addAddendum, .importRewrap, .export, .createUpload,
                .readUpload, .appendUpload, .deleteUpload:
                true
            // A draft's moments date the interview, and the testimony it becomes.
            case .saveDraft, .readDraft, .deleteDraft: true
            case .health, .listForms, .readForm, .readSigningKey: false
            }
        }
    }

    /// Where records go.
    public let archive: any ArchiveWriter
    /// What signs receipts and hashes withdrawal tokens.
    public let notary: any Notary
    /// What was stored, withdrawn, refused, rewrapped and exported, per received period (never per event).
    public let tally: IntakeTally
    /// Where uploads go (nil: this core takes none, and answers upload requests 503).
    public let uploads: (any UploadStore)?
    /// The limits on uploads.
    public let uploadLimits: UploadLimits
    /// The uploads requests are working on now.
    let uploadLocks = UploadLocks()
    /// Where guided intakes keep their encrypted drafts (nil: this core keeps none, and answers draft requests 503).
    public var drafts: (any DraftStore)?
    let settings: @Sendable () -> IntakeSettings
    let logger: Logger

    /// A core storing into `archive` (and uploads into `uploads`, under `uploadLimits`), signing with `notary`,
    /// under the settings `settings()` returns at the start of each call (a reload changes them between calls, never
    /// within one).
    public init(
        archive: any ArchiveWriter, notary: any Notary, logger: Logger, uploads: (any UploadStore)? = nil,
        uploadLimits: UploadLimits = .defaults, settings: @escaping @Sendable () -> IntakeSettings
    ) {
        self.archive = archive
        self.notary = notary
        self.logger = logger
        self.uploads = uploads
        self.uploadLimits = uploadLimits
        self.settings = settings
        self.tally = IntakeTally()
    }

    /// Throws unless `principal` may perform `operation`.
    public func authorise(_ principal: Principal, _ operation: Operation) throws(IntakeError) {
        guard principal.role >= .submitter else {
            throw IntakeError(.forbidden, "this user may not use amanatd; ask an admin to add you to a submitter group")
        }
        guard principal.role >= operation.role else {
            throw IntakeError(.adminOnly, "this operation is for members of an admin group")
        }
    }

    // MARK: Reading

    /// The forms, sorted by id.
    public func forms(_ principal: Principal) throws(IntakeError) -> [Form] {
        try authorise(principal, .listForms)
        return settings().forms
    }

    /// One form.
    public func form(_ principal: Principal, id: String) throws(IntakeError) -> Form {
        try authorise(principal, .readForm)
        guard let form = settings().formsByID[id] else { throw IntakeError(.unknownForm, "there is no form with that id") }
        return form
    }

    /// The receipt key's public half.
    public func signingKey(_ principal: Principal) throws(IntakeError) -> SigningPublicKey {
        try authorise(principal, .readSigningKey)
        return notary.publicKey
    }

    // MARK: Submitting

    /// A stored testimony: what the witness takes away.
    public struct Submitted: Sendable {
        /// The record's id.
        public var recordID: RecordID
        /// Its received date, at the configured precision.
        public var received: String
        /// The signed receipt over its ledger entry.
        public var receipt: Receipt
        /// The withdrawal token, shown once.
        public var withdrawalToken: String
        /// Its attachments, with a receipt each; nil when the request had no `attachments` member.
        public var attachments: [StoredAttachment]?
    }

    /// Validates, seals and durably stores a testimony; `body` is `{"form", "fields"}` as JSON, with an optional
    /// `attachments` member naming finished uploads (PROTOCOL.md 2.10), which become the record's attachments in
    /// its transaction.
    public func submit<Body: AsyncSequence>(
        _ principal: Principal, contentType: String?, body: Body, expectedLength: Int?
    ) async throws(IntakeError) -> Submitted where Body.Element: Collection<UInt8> {
        try authorise(principal, .submit)
        try Self.requireJSON(contentType)
        let settings = settings()
        var bytes = try await Self.collect(body, expectedLength: expectedLength)
        defer { wipe(&bytes) }
        let (testimony, requests) = try decodeSubmission(bytes, settings: settings, pending: false)
        let recordID = RecordID.random()
        let record: StoredRecord
        let attachments: [NewAttachment]
        let token: (text: String, hash: [UInt8])
        do {
            record = try seal(testimony, recordID: recordID, settings: settings)
            attachments = try sealAttachments(
                requests ?? [], recordID: recordID, form: settings.formsByID[testimony.formID], settings: settings
            )
            token = try WithdrawalToken.make(for: recordID, key: notary)
        } catch {
            logger.error("sealing failed", metadata: ["error": "\(error)"])
            throw IntakeError(.internalError)
        }
        let appended: AppendedRecord
        do {
            appended = try await archive.append(
                record, withdrawalTokenHash: token.hash, attachments: attachments, uploadOwner: principal.uid
            )
            // Counted, not logged: journald stamps every line with the exact time, and the k-th line would date
            // the k-th record (logEndedPeriods).
            tally.add(.stored, in: IntakeTally.Period(precision: settings.receivedPrecision, stamp: record.received))
        } catch {
            let refusal = Self.intakeError(error)
            // A refused upload is the client's to fix, and is answered; a store failure is the admin's.
            if !refusal.kind.isEvidenceRefusal {
                logger.error("storing failed", metadata: ["error": "\(error.message)"])
            }
            throw refusal
        }
        // Signed only now that the record and its entry are durable.
        let receipt = Receipt(
            signing: notary, recordID: recordID, seq: appended.entry.seq, entryHash: appended.entry.entryHash
        )
        return Submitted(
            recordID: recordID, received: record.received, receipt: receipt, withdrawalToken: token.text,
            attachments: requests.map { _ in appended.attachments.map { stored($0, recordID: recordID) } }
        )
    }

    func seal(
        _ testimony: ValidatedTestimony, recordID: RecordID, settings: IntakeSettings
    ) throws(CryptoError) -> StoredRecord {
        var envelopes: [Section: [UInt8]] = [:]
        let form = settings.formsByID[testimony.formID]
        for section in Section.sealed {
            var plaintext = testimony.canonicalJSON(section)
            defer { wipe(&plaintext) }
            // At least the form's minimum: a bucket of its own would tell a name's script and length, and the
            // number of relatives, from the envelope's size.
            let envelope = try Envelope.seal(
                plaintext, section: section, recordID: recordID, recipients: settings.recipients(for: section),
                minimumPaddedSize: form?.minimumPaddedSize(section) ?? Form.defaultMinimumPaddedSizes[section] ?? 0
            )
            envelopes[section] = envelope.encoded()
        }
        return StoredRecord(
            recordID: recordID, formID: testimony.formID, formVersion: testimony.formVersion,
            received: settings.receivedPrecision.stampNow(),
            clearJSON: String(decoding: testimony.canonicalJSON(.clear), as: UTF8.self),
            identityEnvelope: envelopes[.identity]!, testimonyEnvelope: envelopes[.testimony]!
        )
    }

    // MARK: Withdrawing

    /// Erases a record at the witness's request; `body` is `{"record_id", "token"}`. A wrong token and an unknown
    /// id get the same refusal, so nobody can learn which ids exist; the record's own token, offered again after the
    /// withdrawal, is told so (``IntakeError/Kind/alreadyWithdrawn``), which tells its holder nothing new.
    public func withdraw<Body: AsyncSequence>(
        _ principal: Principal, contentType: String?, body: Body, expectedLength: Int?
    ) async throws(IntakeError) -> RecordID where Body.Element: Collection<UInt8> {
        try authorise(principal, .withdraw)
        try Self.requireJSON(contentType)
        var bytes = try await Self.collect(body, expectedLength: expectedLength)
        defer { wipe(&bytes) }
        guard case .object(let members)? = try? JSONParser(maxDepth: 2).parse(bytes),
              Set(members.keys) == ["record_id", "token"],
              let idText = members["record_id"]?.stringValue, let recordID = RecordID(text: idText),
              let tokenText = members["token"]?.stringValue, var token = WithdrawalToken.decode(tokenText)
        else {
            throw IntakeError(
                .invalidWithdrawal, "the body must be {\"record_id\": 32 hex digits, \"token\": \"amanat-wt-…\"}"
            )
        }
        defer { wipe(&token) }
        do {
            switch try await archive.withdraw(recordID, token: token) {
            case .withdrawn:
                break
            case .alreadyWithdrawn:
                count(.withdrawalRefused)
                throw IntakeError(.alreadyWithdrawn, "this record was withdrawn already; nothing was changed")
            case .refused:
                count(.withdrawalRefused)
                throw IntakeError(.withdrawalRefused, "no record has this id and token; nothing was changed")
            }
        } catch let error as IntakeError {
            throw error
        } catch let error as StoreError {
            logger.error("withdrawal failed", metadata: ["error": "\(error.message)"])
            throw Self.intakeError(error)
        } catch {
            throw IntakeError(.internalError)
        }
        count(.withdrawn)
        return recordID
    }

    // MARK: Admin

    /// Replaces envelopes from a rewrap file (FORMAT.md) in one transaction, or changes nothing. Returns how
    /// many records were rewrapped.
    public func importRewrap<Body: AsyncSequence>(
        _ principal: Principal, body: Body, expectedLength: Int?
    ) async throws(IntakeError) -> Int where Body.Element: Collection<UInt8> {
        try authorise(principal, .importRewrap)
        let bytes = try await Self.collect(body, expectedLength: expectedLength)
        let file: RewrapFile
        do {
            file = try RewrapFile(decoding: bytes)
        } catch {
            throw IntakeError(.invalidRewrap, error.description)
        }
        // Before anything changes: only a file a trusted key holder signed replaces envelopes. Anyone can seal to
        // the public keys, so an admin alone could otherwise plant testimony with the live `replaces` digests.
        let trusted = settings().rewrapSigners
        guard let signature = file.signature else {
            throw IntakeError(.invalidRewrap, "the file is not signed: make it with `amanat-keyholder rewrap`, which signs it")
        }
        guard trusted.contains(signature.signer) else {
            throw IntakeError(
                .invalidRewrap,
                trusted.isEmpty
                    ? "no rewrap signer is trusted: rewrap_signers is empty, so no rewrap file is imported"
                    : "the file is signed by \(signature.signer.text), which is not in rewrap_signers"
            )
        }
        guard file.isSigned(by: signature.signer) else {
            throw IntakeError(.invalidRewrap, "the file's signature does not verify: it was altered or forged")
        }
        let replacements = Self.replacements(in: file)
        do {
            try await archive.replaceEnvelopes(replacements, signer: signature.signer)
        } catch {
            let refusal = Self.intakeError(error, suffix: "; nothing was replaced")
            if refusal.kind == .internalError {
                logger.error("rewrap import failed", metadata: ["error": "\(error.message)"])
            }
            throw refusal
        }
        // Its ledger entries sit between records: a line at its exact time would date the records around them.
        count(.rewrapped, replacements.count)
        return replacements.count
    }

    /// A rewrap file's lines, one replacement per record in the order of its first line: the record's own envelopes
    /// and those of its attachments and addenda, which must land before the record's ledger entries.
    package static func replacements(in file: RewrapFile) -> [EnvelopeReplacement] {
        var replacements: [EnvelopeReplacement] = []
        var places: [RecordID: Int] = [:]
        func place(of recordID: RecordID) -> Int {
            if let place = places[recordID] { return place }
            places[recordID] = replacements.count
            replacements.append(EnvelopeReplacement(recordID: recordID, identity: nil, testimony: nil))
            return replacements.count - 1
        }
        // Places in the order of the records' first lines, whichever kind they are.
        let firstLines = file.entries.indices.map { (file.line(ofEntry: $0), file.entries[$0].recordID) }
            + file.evidence.indices.map { (file.line(ofEvidence: $0), file.evidence[$0].recordID) }
        for (_, recordID) in firstLines.sorted(by: { $0.0 < $1.0 }) { _ = place(of: recordID) }
        for (index, entry) in file.entries.enumerated() {
            let place = place(of: entry.recordID)
            replacements[place].identity = entry.identity
            replacements[place].testimony = entry.testimony
            replacements[place].replaces = entry.replaces
            replacements[place].line = file.line(ofEntry: index)
        }
        for (index, entry) in file.evidence.enumerated() {
            replacements[place(of: entry.recordID)].evidence.append(EvidenceReplacement(
                kind: entry.kind, id: entry.id, envelope: entry.envelope, replaces: entry.replaces,
                line: file.line(ofEvidence: index)
            ))
        }
        return replacements
    }

    /// A consistent snapshot for the offline machine, with a fresh signed checkpoint. The caller sends the file
    /// and then calls ``ExportedSnapshot/remove()``.
    public func export(_ principal: Principal) async throws(IntakeError) -> ExportedSnapshot {
        try authorise(principal, .export)
        let snapshot: ExportedSnapshot
        do {
            snapshot = try await archive.exportSnapshot()
        } catch {
            logger.error("export failed", metadata: ["error": "\(error.message)"])
            throw Self.intakeError(error)
        }
        // No line with its head's seq at the export's exact time: that would date the records up to it.
        count(.exported)
        return snapshot
    }
}

extension IntakeCore {
    /// The received period now, at the precision in force.
    public func currentPeriod() -> IntakeTally.Period {
        let precision = settings().receivedPrecision
        return IntakeTally.Period(precision: precision, stamp: precision.stampNow())
    }

    /// Counts `event` in the current received period.
    public func count(_ event: IntakeTally.Event, _ times: Int = 1) {
        tally.add(event, times, in: currentPeriod())
    }

    /// Logs one line of counts for each received period that has ended since the last call (and that this
    /// process saw from its start): what amanatd did, in no finer steps than the records' `received` dates.
    public func logEndedPeriods() {
        for ended in tally.takeEnded() {
            var metadata: Logger.Metadata = ["received.period": "\(ended.period.stamp)"]
            for (event, count) in ended.counts { metadata[event.rawValue] = "\(count)" }
            logger.info("intake counts", metadata: metadata)
        }
    }

    static func requireJSON(_ contentType: String?) throws(IntakeError) {
        let mediaType = contentType?.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: " \t").lowercased()
        }
        guard mediaType == "application/json" else {
            throw IntakeError(.unsupportedMediaType, "send the body as Content-Type: application/json")
        }
    }

    /// The whole body in one buffer, reserved to `expectedLength` (at most 1 MiB ahead of the bytes) so that it
    /// is not copied as it grows: every copy left behind is plaintext that no wipe reaches.
    static func collect<Body: AsyncSequence>(
        _ body: Body, expectedLength: Int?
    ) async throws(IntakeError) -> [UInt8] where Body.Element: Collection<UInt8> {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(expectedLength ?? 0, 1 << 20))
        do {
            for try await chunk in body {
                // One copy of the chunk's contiguous bytes: this generic code is not specialised across the module
                // boundary, and appending element by element through the Collection witness costs far more.
                let copied = chunk.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) } != nil
                if !copied { bytes.append(contentsOf: chunk) }
            }
        } catch let error as IntakeError {
            wipe(&bytes)
            throw error
        } catch {
            wipe(&bytes)
            throw IntakeError(.incompleteBody, "the body ended early")
        }
        return bytes
    }

    static func intakeError(_ error: SubmissionError, maxDepth: Int) -> IntakeError {
        switch error.kind {
        case .invalidEncoding: IntakeError(.invalidEncoding, error.detail)
        case .tooDeep: IntakeError(.tooDeep, error.detail, limit: maxDepth)
        case .invalidJSON: IntakeError(.invalidJSON, error.detail)
        case .invalidTestimony: IntakeError(.invalidTestimony, error.detail, validation: error.validation)
        }
    }

    /// The answer a store failure gets: what the client can act on, everything else internal.
    static func intakeError(_ error: StoreError, suffix: String = "") -> IntakeError {
        switch error.kind {
        case .diskFull: IntakeError(.storageFull)
        case .closed: IntakeError(.unavailable)
        case .unknownRecord: IntakeError(.unknownRecord, error.message + suffix)
        case .recordChanged: IntakeError(.recordChanged, error.message + suffix)
        case .unknownUpload: IntakeError(.unknownUpload, error.message)
        case .uploadIncomplete: IntakeError(.uploadIncomplete, error.message)
        case .invalidAttachment: IntakeError(.invalidAttachment, error.message)
        case .recordTooLarge: IntakeError(.recordTooLarge, error.message)
        default: IntakeError(.internalError)
        }
    }
}

extension ExportedSnapshot {
    /// Removes the snapshot file, sent or not.
    public func remove() {
        unlink(path)
    }
}

extension StringProtocol {
    /// The text without the given characters at either end.
    package func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

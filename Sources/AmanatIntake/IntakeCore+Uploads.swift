import AmanatFormat

/// Resumable uploads (PROTOCOL.md sections 2.9 to 2.12): a volunteer's `amanat` encrypts a file itself and sends the
/// ciphertext in appends, each made durable before it is answered, so that a broken link resumes from the durable
/// offset. An upload belongs to the uid that created it; for any other it does not exist.
///
/// Nothing here logs an upload: its id, size or moment in a log line, stamped by journald, would date a volunteer's
/// work (SECURITY.md).
extension IntakeCore {
    /// Creates an empty upload of `length` stored bytes.
    public func createUpload(_ principal: Principal, length: Int) async throws(IntakeError) -> UploadStatus {
        let (store, uid) = try uploadAccess(principal, .createUpload)
        let limits = uploadLimits
        guard length >= 0 else { throw IntakeError(.invalidUploadRequest, "Upload-Length must be a whole number") }
        guard length <= limits.maxFileBytes else {
            throw IntakeError(
                .fileTooLarge, "the file is larger than the limit of \(limits.maxFileBytes) bytes",
                limit: limits.maxFileBytes
            )
        }
        do {
            let available = try store.availableBytes()
            // Checked before anything is created, so that a refusal leaves nothing behind.
            guard available >= length, available - length >= limits.minFreeBytes else {
                throw IntakeError(.storageFull)
            }
            guard let created = try await store.create(
                ownerUID: uid, length: length, maxPerOwner: limits.maxUploadsPerPeer
            ) else {
                throw IntakeError(
                    .tooManyUploads,
                    "this user holds \(limits.maxUploadsPerPeer) uploads already; finish or delete one, or wait for "
                        + "unfinished ones to expire",
                    limit: limits.maxUploadsPerPeer
                )
            }
            return created
        } catch let error as IntakeError {
            throw error
        } catch let error as StoreError {
            throw uploadError(error, "creating an upload")
        } catch {
            throw IntakeError(.internalError)
        }
    }

    /// The upload's durable offset and length. A request still writing it is ended first, and waited for.
    public func uploadStatus(
        _ principal: Principal, id: String, interrupt: (@Sendable () -> Void)? = nil
    ) async throws(IntakeError) -> UploadStatus {
        let (store, uid) = try uploadAccess(principal, .readUpload)
        let upload = try await ownUpload(id, uid: uid, store: store)
        await uploadLocks.acquire(upload.id, interrupt: interrupt)
        defer { uploadLocks.release(upload.id) }
        return try await ownUpload(id, uid: uid, store: store)
    }

    /// Appends `body` (`expectedLength` bytes) at `offset`, which must be the durable offset; `complete` must say
    /// whether it ends the upload. Returns once every byte is durable. A body cut off midway keeps what arrived
    /// (durable and recorded) and throws ``IntakeError/Kind/incompleteBody``. `interrupt` ends this request's
    /// transfer: another request for the same upload calls it.
    public func appendUpload<Body: AsyncSequence>(
        _ principal: Principal, id: String, offset: Int, complete: Bool, contentType: String?, expectedLength: Int?,
        body: Body, interrupt: @escaping @Sendable () -> Void
    ) async throws(IntakeError) -> UploadStatus where Body.Element: Collection<UInt8> & Sendable {
        let (store, uid) = try uploadAccess(principal, .appendUpload)
        let mediaType = contentType?.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: " \t").lowercased()
        }
        guard mediaType == "application/partial-upload" else {
            throw IntakeError(.unsupportedMediaType, "send the body as Content-Type: application/partial-upload")
        }
        guard let expectedLength else {
            throw IntakeError(.lengthRequired, "an append needs a Content-Length")
        }
        _ = try await ownUpload(id, uid: uid, store: store)
        let uploadID = UploadID(hex: id)!
        await uploadLocks.acquire(uploadID, interrupt: interrupt)
        defer { uploadLocks.release(uploadID) }
        // Read again: the request ended above may have made more bytes durable.
        let upload = try await ownUpload(id, uid: uid, store: store)
        guard offset == upload.offset else {
            throw IntakeError(
                .mismatchingUploadOffset, "the upload's durable offset is \(upload.offset); resume from there",
                offset: upload.offset
            )
        }
        guard expectedLength <= upload.length - offset else {
            throw IntakeError(
                .inconsistentUploadLength,
                "Upload-Offset plus Content-Length is past the upload's length of \(upload.length) bytes"
            )
        }
        guard complete == (offset + expectedLength == upload.length) else {
            throw IntakeError(
                .inconsistentUploadLength,
                "Upload-Complete must be ?1 exactly when the append ends at the upload's length of "
                    + "\(upload.length) bytes"
            )
        }
        if expectedLength == 0 && upload.isComplete { return upload }
        let appender: any UploadAppender
        do {
            guard let opened = try await store.appender(for: upload) else { throw IntakeError(.unknownUpload) }
            appender = opened
        } catch let error as IntakeError {
            throw uploadNotFound(error)
        } catch let error as StoreError {
            throw uploadError(error, "opening an upload")
        } catch {
            throw IntakeError(.internalError)
        }
        defer { appender.close() }
        var bodyFailure: IntakeError?
        do {
            for try await chunk in body {
                try await appender.write(chunk)
            }
        } catch let error as StoreError {
            appender.close()
            try await failedAppend(upload, error, store: store)
        } catch let error as IntakeError {
            bodyFailure = error
        } catch {
            bodyFailure = IntakeError(.incompleteBody, "the body ended early")
        }
        let status: UploadStatus
        do {
            // Also after a failed body: what arrived is kept, so that the client can resume from it.
            status = try await appender.finish()
        } catch {
            appender.close()
            try await failedAppend(upload, error, store: store)
        }
        if let bodyFailure { throw bodyFailure }
        return status
    }

    /// Removes the upload, its row and its file. A request still writing it is ended first.
    public func deleteUpload(_ principal: Principal, id: String) async throws(IntakeError) {
        let (store, uid) = try uploadAccess(principal, .deleteUpload)
        let upload = try await ownUpload(id, uid: uid, store: store)
        await uploadLocks.acquire(upload.id, interrupt: nil)
        defer { uploadLocks.release(upload.id) }
        do {
            try await store.remove(upload.id)
        } catch {
            throw uploadError(error, "removing an upload")
        }
    }

    /// Removes the uploads that expired, except those a request is working on; returns how many. Logged without ids
    /// or sizes, and only when it fails.
    @discardableResult
    public func sweepUploads() async -> Int {
        guard let uploads else { return 0 }
        do {
            return try await uploads.removeExpired(sparing: uploadLocks.held)
        } catch {
            logger.warning("removing expired uploads failed", metadata: ["error": "\(error.message)"])
            return 0
        }
    }

    /// Blurs the times of every stored file (``UploadStore/blurFileTimes()``); logged only when it fails. The
    /// checkpoint timer calls it once each received period is over.
    public func blurStoredFileTimes() async {
        guard let uploads else { return }
        do {
            _ = try await uploads.blurFileTimes()
        } catch {
            logger.warning("setting stored files' times failed", metadata: ["error": "\(error.message)"])
        }
    }

    private func uploadAccess(
        _ principal: Principal, _ operation: Operation
    ) throws(IntakeError) -> (any UploadStore, UInt32) {
        try authorise(principal, operation)
        guard let uploads else { throw IntakeError(.unavailable) }
        // A principal without a uid could not be told apart from another: it gets no uploads.
        guard let uid = principal.uid else { throw IntakeError(.forbidden, "uploads need the peer's uid") }
        return (uploads, uid)
    }

    /// The upload `id` of `uid`; unknown-upload for a malformed id, a missing upload and another uid's alike.
    private func ownUpload(
        _ id: String, uid: UInt32, store: any UploadStore
    ) async throws(IntakeError) -> UploadStatus {
        guard let uploadID = UploadID(hex: id) else { throw uploadNotFound(IntakeError(.unknownUpload)) }
        let found: UploadStatus?
        do {
            found = try await store.status(uploadID)
        } catch {
            throw uploadError(error, "reading an upload")
        }
        guard let found, found.ownerUID == uid else { throw uploadNotFound(IntakeError(.unknownUpload)) }
        return found
    }

    private func uploadNotFound(_ error: IntakeError) -> IntakeError {
        guard error.kind == .unknownUpload else { return error }
        return IntakeError(.unknownUpload, "no upload of this user has this id (it may have expired or been deleted)")
    }

    /// An append the store failed: on a full disk the upload is removed (nothing partial is kept, and the space is
    /// freed) and the client told 507; anything else is internal, and what is durable stays.
    private func failedAppend(
        _ upload: UploadStatus, _ error: StoreError, store: any UploadStore
    ) async throws(IntakeError) -> Never {
        if error.kind == .diskFull {
            do {
                try await store.discard(upload.id)
            } catch {
                logger.error("removing an upload after a full disk failed", metadata: ["error": "\(error.message)"])
            }
        }
        throw uploadError(error, "appending to an upload")
    }

    private func uploadError(_ error: StoreError, _ what: String) -> IntakeError {
        let refusal = Self.intakeError(error)
        if refusal.kind == .internalError {
            logger.error("\(what) failed", metadata: ["error": "\(error.message)"])
        }
        return refusal
    }
}

import AmanatFormat

/// Drafts of guided intakes (PROTOCOL.md section 2.13): `amanat` encrypts a snapshot of an unfinished interview under
/// a key derived from a code only the volunteer holds (on paper), and keeps it here so that a crash or a power cut
/// does not lose the interview. The core stores and returns opaque ciphertext under the owner's uid; it cannot read
/// it, and for any other uid the draft does not exist.
///
/// Nothing here logs a draft: its id or moment in a log line would date a volunteer's work (SECURITY.md).
extension IntakeCore {
    /// The media type of a draft's body.
    public static let draftMediaType = "application/octet-stream"

    /// Saves (replaces) the draft `id` of the principal with `body`, durably.
    public func saveDraft<Body: AsyncSequence>(
        _ principal: Principal, id: String, contentType: String?, body: Body, expectedLength: Int?
    ) async throws(IntakeError) where Body.Element: Collection<UInt8> {
        let (store, uid) = try draftAccess(principal, .saveDraft)
        let mediaType = contentType?.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: " \t").lowercased()
        }
        guard mediaType == Self.draftMediaType else {
            throw IntakeError(.unsupportedMediaType, "send the draft as Content-Type: \(Self.draftMediaType)")
        }
        guard let draftID = DraftID(hex: id) else { throw Self.unknownDraft }
        let ciphertext = try await Self.collect(body, expectedLength: expectedLength)
        let saved: Bool
        do {
            saved = try await store.save(ownerUID: uid, id: draftID, ciphertext: ciphertext)
        } catch {
            throw draftError(error, "saving a draft")
        }
        guard saved else {
            throw IntakeError(
                .tooManyDrafts, "this user holds \(store.limits.maxPerOwner) drafts already",
                limit: store.limits.maxPerOwner
            )
        }
    }

    /// The principal's draft `id`, as saved.
    public func draft(_ principal: Principal, id: String) async throws(IntakeError) -> [UInt8] {
        let (store, uid) = try draftAccess(principal, .readDraft)
        guard let draftID = DraftID(hex: id) else { throw Self.unknownDraft }
        let found: [UInt8]?
        do {
            found = try await store.load(ownerUID: uid, id: draftID)
        } catch {
            throw draftError(error, "reading a draft")
        }
        guard let found else { throw Self.unknownDraft }
        return found
    }

    /// Removes the principal's draft `id`.
    public func deleteDraft(_ principal: Principal, id: String) async throws(IntakeError) {
        let (store, uid) = try draftAccess(principal, .deleteDraft)
        guard let draftID = DraftID(hex: id) else { throw Self.unknownDraft }
        let removed: Bool
        do {
            removed = try await store.remove(ownerUID: uid, id: draftID)
        } catch {
            throw draftError(error, "removing a draft")
        }
        guard removed else { throw Self.unknownDraft }
    }

    /// Removes the drafts that expired; returns how many. Logged only when it fails, without ids.
    @discardableResult
    public func sweepDrafts() async -> Int {
        guard let drafts else { return 0 }
        do {
            return try await drafts.removeExpired()
        } catch {
            logger.warning("removing expired drafts failed", metadata: ["error": "\(error.message)"])
            return 0
        }
    }

    private static let unknownDraft = IntakeError(
        .unknownDraft, "this user has no draft with this id (it may have expired, been sent or been discarded)"
    )

    private func draftAccess(
        _ principal: Principal, _ operation: Operation
    ) throws(IntakeError) -> (any DraftStore, UInt32) {
        try authorise(principal, operation)
        guard let drafts else { throw IntakeError(.unavailable) }
        // A principal without a uid could not be told apart from another: it gets no drafts.
        guard let uid = principal.uid else { throw IntakeError(.forbidden, "drafts need the peer's uid") }
        return (drafts, uid)
    }

    private func draftError(_ error: StoreError, _ what: String) -> IntakeError {
        let refusal = Self.intakeError(error)
        if refusal.kind == .internalError {
            logger.error("\(what) failed", metadata: ["error": "\(error.message)"])
        }
        return refusal
    }
}

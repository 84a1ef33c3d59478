import AmanatCrypto
import AmanatForms
import AmanatJSON

extension IntakeCore {
    /// Decodes and validates a testimony as `submit` would, and stores nothing (PROTOCOL.md 2.14): the body of
    /// `POST /v1/testimonies`, whose `attachments` elements may leave out what only sending a file gives (`upload`,
    /// `sha256`, `key`). A client calls it before it sends a file byte, so that a testimony with a bad field is
    /// refused before gigabytes of evidence went up. It throws the problem the submission would get from the
    /// body alone; what only the store decides (an upload missing or incomplete) waits for the submission.
    public func checkSubmission<Body: AsyncSequence>(
        _ principal: Principal, contentType: String?, body: Body, expectedLength: Int?
    ) async throws(IntakeError) where Body.Element: Collection<UInt8> {
        try authorise(principal, .checkSubmission)
        try Self.requireJSON(contentType)
        let settings = settings()
        var bytes = try await Self.collect(body, expectedLength: expectedLength)
        // Wiped as a submission's is: the body is the testimony in plaintext.
        defer { wipe(&bytes) }
        _ = try decodeSubmission(bytes, settings: settings, pending: true)
    }

    /// A submission's body decoded and validated, with its `attachments` checked (count, members, total size)
    /// when it has them: everything `submit` refuses before sealing. `pending` lets attachments leave out the
    /// members that only exist once their files are sent.
    func decodeSubmission(
        _ bytes: [UInt8], settings: IntakeSettings, pending: Bool
    ) throws(IntakeError) -> (testimony: ValidatedTestimony, attachments: [AttachmentRequest]?) {
        let testimony: ValidatedTestimony
        let extras: [String: JSONValue]
        let keyTexts: [Range<Int>]
        do {
            (testimony, extras, keyTexts) = try Submission.decode(
                bytes, maxDepth: settings.maxJSONDepth, extraMembers: ["attachments"],
                secretPaths: AttachmentRequest.secretPaths
            ) { settings.formsByID[$0] }
        } catch {
            throw Self.intakeError(error, maxDepth: settings.maxJSONDepth)
        }
        let limits = settings.evidenceLimits
        let requests = try extras["attachments"].map { (list) throws(IntakeError) in
            try AttachmentRequest.decodeList(
                list, limit: limits.maxAttachments, keys: AttachmentRequest.keys(in: bytes, at: keyTexts),
                pending: pending
            )
        }
        if let requests,
           !limits.allow(count: requests.count, bytes: EvidenceLimits.total(0, adding: requests.map(\.storedSize)))
        {
            throw Self.recordTooLarge(limits)
        }
        return (testimony, requests)
    }
}

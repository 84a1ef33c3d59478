public import AmanatForms

/// Why the intake core refused or failed a request. The one error type the core throws: each transport maps
/// it to its own answer in one table (the HTTP adapter: `IntakeError+Problem.swift` in AmanatServer).
/// `detail` never quotes submitted content.
public struct IntakeError: Error, Sendable, Equatable {
    /// The failure kinds.
    public enum Kind: Sendable, Equatable {
        /// The principal may not use amanatd at all.
        case forbidden
        /// The operation is for admins.
        case adminOnly
        /// The body is not of the media type the operation takes.
        case unsupportedMediaType
        /// The body is larger than the transport's limit (`limit`).
        case bodyTooLarge
        /// The body ended before it was complete (the peer went away).
        case incompleteBody
        /// The body is not UTF-8.
        case invalidEncoding
        /// The body is not JSON.
        case invalidJSON
        /// The body nests deeper than `limit`.
        case tooDeep
        /// The testimony does not fit its form: see `validation`.
        case invalidTestimony
        /// No form has the id asked for.
        case unknownForm
        /// A withdrawal request is not `{"record_id", "token"}`.
        case invalidWithdrawal
        /// No record has this id and token: one answer for a wrong token and an unknown id.
        case withdrawalRefused
        /// The token is the record's, and the record was withdrawn before.
        case alreadyWithdrawn
        /// A rewrap file is malformed.
        case invalidRewrap
        /// A rewrap names a record the archive does not hold.
        case unknownRecord
        /// A rewrap was made from a copy the record has changed since.
        case recordChanged
        /// A request to add evidence named no record with that token (wrong token, unknown or withdrawn record).
        case tokenRefused
        /// An attachment's description is malformed, or its upload's length does not fit it.
        case invalidAttachment
        /// An upload named for an attachment is not complete yet.
        case uploadIncomplete
        /// The record would exceed `max_attachments_per_record` or `max_record_bytes`.
        case recordTooLarge
        /// The archive's disk is full; nothing was stored.
        case storageFull
        /// The archive is closing; nothing was stored.
        case unavailable
        /// No upload has this id for this principal (it never existed, is another uid's, expired or was removed).
        case unknownUpload
        /// An upload would be larger than `limit` bytes.
        case fileTooLarge
        /// The principal holds `limit` uploads already.
        case tooManyUploads
        /// An append did not start at the upload's durable offset, `offset`.
        case mismatchingUploadOffset
        /// An append's offset, length and Upload-Complete do not fit the upload's length.
        case inconsistentUploadLength
        /// An append came without a Content-Length.
        case lengthRequired
        /// An upload request's headers are missing or malformed.
        case invalidUploadRequest
        /// No draft has this id for this principal (never saved, sent, discarded, expired, or another uid's).
        case unknownDraft
        /// The principal holds `limit` drafts already.
        case tooManyDrafts
        /// Anything else; logged without content.
        case internalError
    }

    /// What went wrong.
    public let kind: Kind
    /// A one-line explanation for the client, naming no submitted content.
    public let detail: String
    /// The validation failure, for ``Kind/invalidTestimony``.
    public let validation: ValidationError?
    /// The limit that was broken, for ``Kind/bodyTooLarge`` and ``Kind/tooDeep``.
    public let limit: Int?
    /// The upload's durable offset, for ``Kind/mismatchingUploadOffset``.
    public let offset: Int?

    /// An error of `kind`.
    public init(
        _ kind: Kind, _ detail: String = "", validation: ValidationError? = nil, limit: Int? = nil, offset: Int? = nil
    ) {
        self.kind = kind
        self.detail = detail
        self.validation = validation
        self.limit = limit
        self.offset = offset
    }

    /// A body over `limit` bytes.
    public static func bodyTooLarge(limit: Int) -> IntakeError {
        IntakeError(.bodyTooLarge, "the body is larger than the limit of \(limit) bytes", limit: limit)
    }
}

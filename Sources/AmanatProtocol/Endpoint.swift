/// The paths of protocol version 1 (docs/PROTOCOL.md), for amanatd's route table and amanat's requests.
public enum Endpoint {
    /// `GET /v1/health`: status and version.
    public static let health = "/v1/health"
    /// `GET /v1/forms`: the form list.
    public static let forms = "/v1/forms"
    /// `GET /v1/forms/{id}`: one form; the id follows this prefix.
    public static let formPrefix = "/v1/forms/"
    /// `POST /v1/testimonies`: submit.
    public static let testimonies = "/v1/testimonies"
    /// `POST /v1/testimonies/check`: validate a testimony as a submission would, storing nothing (before its files
    /// are sent).
    public static let testimonyCheck = "/v1/testimonies/check"
    /// `GET /v1/signing-key`: the receipt key.
    public static let signingKey = "/v1/signing-key"
    /// `POST /v1/withdrawals`: withdraw with the witness's token.
    public static let withdrawals = "/v1/withdrawals"
    /// `POST /v1/admin/rewrap`: import a rewrap file.
    public static let adminRewrap = "/v1/admin/rewrap"
    /// `POST /v1/admin/export`: a snapshot for the offline machine.
    public static let adminExport = "/v1/admin/export"
    /// `POST /v1/uploads`: create an upload.
    public static let uploads = "/v1/uploads"
    /// `HEAD`, `PATCH`, `DELETE /v1/uploads/{id}`: one upload; the id follows this prefix.
    public static let uploadPrefix = "/v1/uploads/"

    /// The path of upload `id`.
    public static func upload(_ id: String) -> String { uploadPrefix + id }

    /// `PUT`, `GET`, `DELETE /v1/drafts/{id}`: a guided intake's encrypted draft; the id follows this prefix.
    public static let draftPrefix = "/v1/drafts/"

    /// The path of draft `id` (64 hex digits).
    public static func draft(_ id: String) -> String { draftPrefix + id }

    /// `POST /v1/records/{id}/attachments` and `POST /v1/records/{id}/addenda`: the record id follows this prefix.
    public static let recordPrefix = "/v1/records/"
    /// What follows the record id to add attachments.
    public static let attachmentsSuffix = "/attachments"
    /// What follows the record id to add an addendum.
    public static let addendaSuffix = "/addenda"

    /// The path of form `id`.
    public static func form(_ id: String) -> String { formPrefix + id }

    /// The path that adds attachments to record `id` (32 hex digits).
    public static func recordAttachments(_ id: String) -> String { recordPrefix + id + attachmentsSuffix }

    /// The path that adds an addendum to record `id` (32 hex digits).
    public static func recordAddenda(_ id: String) -> String { recordPrefix + id + addendaSuffix }
}

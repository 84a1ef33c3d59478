import AmanatForms
public import AmanatIntake
public import AmanatProtocol

extension Problem {
    /// The one table from the intake core's errors to the protocol's problems (docs/PROTOCOL.md lists them).
    public init(_ error: IntakeError) {
        switch error.kind {
        case .forbidden: self = .forbidden
        case .adminOnly: self = .adminOnly
        case .unsupportedMediaType:
            self = error.detail.isEmpty ? .unsupportedMediaType
                : Problem("unsupported-media-type", status: 415, title: "Unsupported media type", detail: error.detail)
        case .bodyTooLarge: self = .bodyTooLarge(error.limit ?? 0)
        case .incompleteBody: self = .badRequest
        case .invalidEncoding: self = .invalidEncoding
        case .invalidJSON: self = .invalidJSON(error.detail)
        case .tooDeep: self = .tooDeep(error.limit ?? 0)
        case .invalidTestimony: self = error.validation.map(Problem.validation) ?? .internalError
        case .unknownForm: self = .unknownForm
        case .invalidWithdrawal:
            self = Problem("invalid-withdrawal", status: 422, title: "Invalid withdrawal request", detail: error.detail)
        case .withdrawalRefused:
            self = Problem("withdrawal-refused", status: 404, title: "Withdrawal refused", detail: error.detail)
        case .alreadyWithdrawn:
            self = Problem("already-withdrawn", status: 410, title: "Already withdrawn", detail: error.detail)
        case .invalidRewrap: self = Problem("invalid-rewrap", status: 422, title: "Invalid rewrap file", detail: error.detail)
        case .unknownRecord: self = Problem("unknown-record", status: 422, title: "Unknown record", detail: error.detail)
        case .recordChanged: self = Problem("record-changed", status: 409, title: "Record changed", detail: error.detail)
        case .tokenRefused: self = Problem("token-refused", status: 404, title: "Token refused", detail: error.detail)
        case .invalidAttachment:
            self = Problem("invalid-attachment", status: 422, title: "Invalid attachment", detail: error.detail)
        case .uploadIncomplete:
            self = Problem("upload-incomplete", status: 409, title: "Upload incomplete", detail: error.detail)
        case .unknownUpload:
            self = error.detail.isEmpty
                ? .unknownUpload : Problem("unknown-upload", status: 404, title: "Unknown upload", detail: error.detail)
        case .recordTooLarge:
            self = Problem("record-too-large", status: 413, title: "Record too large", detail: error.detail)
        case .storageFull: self = .diskFull
        case .unavailable: self = .unavailable
        case .fileTooLarge: self = .fileTooLarge(error.limit ?? 0)
        case .tooManyUploads: self = .tooManyUploads(error.detail)
        case .mismatchingUploadOffset: self = .mismatchingUploadOffset(expected: error.offset ?? 0)
        case .inconsistentUploadLength: self = .inconsistentUploadLength(error.detail)
        case .lengthRequired: self = .lengthRequired
        case .invalidUploadRequest: self = .invalidUploadRequest(error.detail)
        case .unknownDraft: self = .unknownDraft
        case .tooManyDrafts: self = .tooManyDrafts(error.limit ?? 0)
        case .internalError: self = .internalError
        }
    }

    /// A testimony that does not fit its form: 422 with the failure's kind as the slug.
    static func validation(_ error: ValidationError) -> Problem {
        if error.kind == .unknownForm {
            return Problem("unknown-form", status: 422, title: "Unknown form", detail: error.detail)
        }
        let titles: [ValidationError.Kind: String] = [
            .notAnObject: "Not an object", .unknownField: "Unknown field", .missingField: "Missing field",
            .wrongType: "Wrong type", .tooLong: "Value too long", .tooManyItems: "Too many entries",
            .invalidValue: "Invalid value",
        ]
        return Problem(error.kind.rawValue, status: 422, title: titles[error.kind] ?? "Invalid testimony",
                       detail: error.detail, field: error.field, limit: error.limit, expected: error.expected,
                       allowed: error.allowed)
    }
}

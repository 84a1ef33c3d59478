public import AmanatJSON

/// A submission's body, `{"form": ID, "fields": {...}}` (PROTOCOL.md), decoded and validated against its form.
/// amanatd's intake core and the fuzz target call this same code.
public enum Submission {
    /// Parses `body` as strict JSON no deeper than `maxDepth`, finds its form with `form(id)` and validates the
    /// fields. Errors never quote submitted content: JSON errors name a byte offset, validation errors a field.
    public static func decode(
        _ body: [UInt8], maxDepth: Int, form: (String) -> Form?
    ) throws(SubmissionError) -> ValidatedTestimony {
        try decode(body, maxDepth: maxDepth, extraMembers: [], form: form).testimony
    }

    /// As ``decode(_:maxDepth:form:)``, and also allows the top-level members named in `extraMembers` (such as
    /// `attachments`), which it returns as they are for the caller to check. Strings at `secretPaths` (the file
    /// keys of `attachments`) stay in `body`: see ``JSONParser/parse(_:secrets:)``; their ranges are returned.
    public static func decode(
        _ body: [UInt8], maxDepth: Int, extraMembers: [String], secretPaths: [[String]] = [],
        form: (String) -> Form?
    ) throws(SubmissionError) -> (testimony: ValidatedTestimony, extras: [String: JSONValue], secrets: [Range<Int>]) {
        let document: JSONValue
        var secrets: [Range<Int>] = []
        do {
            document = try JSONParser(maxDepth: maxDepth, secretPaths: secretPaths).parse(body, secrets: &secrets)
        } catch {
            switch error.kind {
            case .invalidUTF8: throw SubmissionError(.invalidEncoding, "the body is not valid UTF-8")
            case .tooDeep:
                throw SubmissionError(.tooDeep, "the body nests arrays or objects deeper than \(maxDepth) levels")
            case .duplicateKey:
                throw SubmissionError(.invalidJSON, "the body has a duplicate key at byte \(error.offset)")
            default: throw SubmissionError(.invalidJSON, "the body is not valid JSON (at byte \(error.offset))")
            }
        }
        guard case .object(let top) = document else {
            throw SubmissionError(ValidationError(.notAnObject, field: nil, "the body must be a JSON object"))
        }
        let allowed = ["form", "fields"] + extraMembers
        guard top.keys.allSatisfy({ allowed.contains($0) }) else {
            let names = allowed.map { "\"\($0)\"" }
            throw SubmissionError(
                ValidationError(
                    .unknownField, field: nil,
                    "the body may only have the members \(names.dropLast().joined(separator: ", ")) and \(names.last!)"
                )
            )
        }
        guard let formMember = top["form"] else {
            throw SubmissionError(ValidationError(.missingField, field: "form", "\"form\" is required"))
        }
        guard case .string(let formID) = formMember else {
            throw SubmissionError(ValidationError(
                .wrongType, field: "form", "\"form\" must be a form id string", expected: "string"
            ))
        }
        guard let form = form(formID) else {
            throw SubmissionError(ValidationError(.unknownForm, field: nil, "there is no form with that id"))
        }
        let testimony: ValidatedTestimony
        do {
            testimony = try form.validate(fields: top["fields"] ?? .null)
        } catch {
            throw SubmissionError(error)
        }
        return (testimony, top.filter { extraMembers.contains($0.key) }, secrets)
    }
}

/// Why a submission's body was refused: it is not the JSON it must be, or its fields do not fit the form.
public struct SubmissionError: Error, Sendable, Equatable {
    /// The failure kinds.
    public enum Kind: Sendable, Equatable {
        /// Not UTF-8.
        case invalidEncoding
        /// Nested deeper than the limit.
        case tooDeep
        /// Not JSON, or a duplicate key.
        case invalidJSON
        /// JSON, but not a valid testimony for its form: see ``validation``.
        case invalidTestimony
    }

    /// What went wrong.
    public let kind: Kind
    /// A one-line explanation naming no submitted content.
    public let detail: String
    /// The validation failure, for ``Kind/invalidTestimony``.
    public let validation: ValidationError?

    init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
        self.validation = nil
    }

    init(_ validation: ValidationError) {
        self.kind = .invalidTestimony
        self.detail = validation.detail
        self.validation = validation
    }
}

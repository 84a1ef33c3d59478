import AmanatForms
import AmanatJSON
@testable import AmanatServer
import AmanatIntake
import AmanatProtocol
import NIOHTTP1
import Testing

/// The route table is the protocol (PROTOCOL.md §3): what each request line resolves to, before any body is read.
@Suite("route table")
struct RouteTableTests {
    static func route(_ method: HTTPMethod, _ uri: String) -> (Route, String)? {
        if case .route(let route, let parameter) = Route.resolve(method: method, uri: uri) { return (route, parameter) }
        return nil
    }

    @Test("every v1 endpoint resolves to its operation", arguments: [
        (HTTPMethod.GET, Endpoint.health, IntakeCore.Operation.health),
        (.HEAD, Endpoint.health, .health),
        (.GET, Endpoint.forms, .listForms),
        (.GET, Endpoint.form("testimony"), .readForm),
        (.GET, Endpoint.signingKey, .readSigningKey),
        (.POST, Endpoint.testimonies, .submit),
        (.POST, Endpoint.testimonyCheck, .checkSubmission),
        (.POST, Endpoint.withdrawals, .withdraw),
        (.POST, Endpoint.recordAttachments("0123456789abcdef0123456789abcdef"), .attach),
        (.POST, Endpoint.recordAddenda("0123456789abcdef0123456789abcdef"), .addAddendum),
        (.POST, Endpoint.adminRewrap, .importRewrap),
        (.POST, Endpoint.adminExport, .export),
        (.POST, Endpoint.uploads, .createUpload),
        (.HEAD, Endpoint.upload("0123456789abcdef0123456789abcdef"), .readUpload),
        (.PATCH, Endpoint.upload("0123456789abcdef0123456789abcdef"), .appendUpload),
        (.DELETE, Endpoint.upload("0123456789abcdef0123456789abcdef"), .deleteUpload),
        (.PUT, Endpoint.draft(String(repeating: "ab", count: 32)), .saveDraft),
        (.GET, Endpoint.draft(String(repeating: "ab", count: 32)), .readDraft),
        (.HEAD, Endpoint.draft(String(repeating: "ab", count: 32)), .readDraft),
        (.DELETE, Endpoint.draft(String(repeating: "ab", count: 32)), .deleteDraft),
    ])
    func resolves(method: HTTPMethod, path: String, operation: IntakeCore.Operation) throws {
        let (route, _) = try #require(Self.route(method, path), "\(method) \(path)")
        #expect(route.operation == operation)
        // A query string does not change the route.
        #expect(Self.route(method, path + "?x=1")?.0.operation == operation)
    }

    @Test("a form id is the route's parameter, and the log name never holds it")
    func parameter() throws {
        let (route, parameter) = try #require(Self.route(.GET, "/v1/forms/secret-name?q=1"))
        #expect(parameter == "secret-name")
        let name = Route.resolve(method: .GET, uri: "/v1/forms/secret-name").name(method: .GET)
        #expect(name == "GET /v1/forms/{id}" && route.template == "/v1/forms/{id}")
        #expect(Route.resolve(method: .GET, uri: "/v1/Иван").name(method: .GET) == "GET (unknown)")
    }

    @Test("a record id between prefix and suffix is the parameter, one segment only, and never in the log name")
    func segmentParameter() throws {
        let id = "0123456789abcdef0123456789abcdef"
        let (route, parameter) = try #require(Self.route(.POST, Endpoint.recordAddenda(id)))
        #expect(parameter == id && route.template == "/v1/records/{id}/addenda")
        #expect(Route.resolve(method: .POST, uri: Endpoint.recordAttachments(id)).name(method: .POST)
            == "POST /v1/records/{id}/attachments")
        for uri in ["/v1/records//addenda", "/v1/records/a/b/addenda", "/v1/records/addenda", "/v1/records/x/notes"] {
            guard case .notFound = Route.resolve(method: .POST, uri: uri) else {
                Issue.record("\(uri) must be 404")
                continue
            }
        }
        guard case .methodNotAllowed(let allowed, _, _) = Route.resolve(method: .GET, uri: Endpoint.recordAddenda(id)) else {
            Issue.record("GET on an addenda path must be 405")
            return
        }
        #expect(allowed == "POST")
    }

    @Test("a known path with another method is 405 with Allow; an unknown path is 404")
    func refusals() {
        guard case .methodNotAllowed(let allowed, let operation, _) = Route.resolve(method: .POST, uri: Endpoint.health)
        else {
            Issue.record("POST /v1/health must be 405")
            return
        }
        #expect(allowed == "GET, HEAD" && operation == .health)
        guard case .methodNotAllowed(let postOnly, let adminOperation, _) = Route.resolve(
            method: .GET, uri: Endpoint.adminExport
        ) else {
            Issue.record("GET /v1/admin/export must be 405")
            return
        }
        #expect(postOnly == "POST" && adminOperation.role == .admin)
        for uri in ["/", "/v1", "/v2/health", "/v1/healthz", "/v1/testimonies/1"] {
            guard case .notFound = Route.resolve(method: .GET, uri: uri) else {
                Issue.record("\(uri) must be 404")
                continue
            }
        }
    }

    @Test("only an upload's PATCH streams under the stall deadline; the other upload methods are 405 elsewhere")
    func uploads() {
        let path = Endpoint.upload("0123456789abcdef0123456789abcdef")
        #expect(Route.streamsUpload(method: .PATCH, uri: path))
        #expect(!Route.streamsUpload(method: .HEAD, uri: path))
        #expect(!Route.streamsUpload(method: .POST, uri: Endpoint.uploads))
        #expect(!Route.streamsUpload(method: .PATCH, uri: Endpoint.testimonies))
        guard case .methodNotAllowed(let allowed, _, _) = Route.resolve(method: .GET, uri: path) else {
            Issue.record("GET /v1/uploads/{id} must be 405")
            return
        }
        #expect(allowed == "HEAD, PATCH, DELETE")
        #expect(Route.resolve(method: .PATCH, uri: path).name(method: .PATCH) == "PATCH /v1/uploads/{id}")
    }

    @Test("admin routes take the admin body limit and need the admin role; submissions and checks are rate limited")
    func classes() throws {
        var limits = Limits()
        limits.maxBodyBytes = 1000
        limits.maxAdminBodyBytes = 5000
        limits.maxFileBytes = 9000
        for route in Route.table {
            let admin = route.operation.role == .admin
            let append = route.operation == .appendUpload
            #expect(route.bodyLimit(limits) == (admin ? 5000 : append ? 9000 : 1000), "\(route.template)")
            let submission = [.submit, .withdraw, .attach, .addAddendum].contains(route.operation)
            #expect((route.rateClass == .submission) == submission, "\(route.template)")
            // A check has a bucket of its own: it spends no submission's token.
            #expect((route.rateClass == .check) == (route.operation == .checkSubmission), "\(route.template)")
        }
        // The table covers every operation of the core, once.
        #expect(Set(Route.table.map(\.operation)) == Set(IntakeCore.Operation.allCases))
        #expect(Route.table.count == IntakeCore.Operation.allCases.count)
    }
}

/// The one table from the core's errors to problems: each kind's status and stable type.
@Suite("intake errors as problems")
struct ProblemTableTests {
    @Test("each kind gets its status and slug", arguments: [
        (IntakeError.Kind.forbidden, 403, "forbidden"), (.adminOnly, 403, "forbidden"),
        (.unsupportedMediaType, 415, "unsupported-media-type"), (.bodyTooLarge, 413, "body-too-large"),
        (.incompleteBody, 400, "bad-request"), (.invalidEncoding, 400, "invalid-encoding"),
        (.invalidJSON, 400, "invalid-json"), (.tooDeep, 400, "too-deep"), (.unknownForm, 404, "unknown-form"),
        (.invalidWithdrawal, 422, "invalid-withdrawal"), (.withdrawalRefused, 404, "withdrawal-refused"),
        (.alreadyWithdrawn, 410, "already-withdrawn"),
        (.invalidRewrap, 422, "invalid-rewrap"), (.unknownRecord, 422, "unknown-record"),
        (.recordChanged, 409, "record-changed"), (.storageFull, 507, "storage-full"), (.unavailable, 503, "unavailable"),
        (.internalError, 500, "internal"), (.unknownUpload, 404, "unknown-upload"),
        (.fileTooLarge, 413, "file-too-large"),
        (.tooManyUploads, 429, "too-many-uploads"), (.mismatchingUploadOffset, 409, "mismatching-upload-offset"),
        (.inconsistentUploadLength, 400, "inconsistent-upload-length"), (.lengthRequired, 411, "length-required"),
        (.invalidUploadRequest, 400, "invalid-upload-request"), (.unknownDraft, 404, "unknown-draft"),
        (.tooManyDrafts, 429, "too-many-drafts"),
    ])
    func mapping(kind: IntakeError.Kind, status: Int, slug: String) {
        let problem = Problem(IntakeError(kind, "detail", limit: 7))
        #expect(problem.status == status && problem.slug == slug)
    }

    @Test("a mismatching offset carries the durable offset as expected_offset, and reads back")
    func expectedOffset() throws {
        let problem = Problem(IntakeError(.mismatchingUploadOffset, "", offset: 2_097_152))
        #expect(problem.expectedOffset == 2_097_152)
        let parsed = try #require(Problem(json: problem.json.canonicalBytes()))
        #expect(parsed.expectedOffset == 2_097_152 && parsed.slug == "mismatching-upload-offset")
    }

    @Test("a validation failure is 422 named by its kind, with its field")
    func validation() {
        let error = IntakeError(
            .invalidTestimony, "too long", validation: ValidationError(.tooLong, field: "narrative", "too long")
        )
        let problem = Problem(error)
        #expect(problem.status == 422 && problem.slug == "too-long" && problem.field == "narrative")
        let unknown = Problem(IntakeError(
            .invalidTestimony, "no form", validation: ValidationError(.unknownForm, field: nil, "no form")
        ))
        #expect(unknown.status == 422 && unknown.slug == "unknown-form")
    }
}

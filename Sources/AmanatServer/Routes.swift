import AmanatCrypto
import AmanatFormat
import AmanatForms
import AmanatIntake
import AmanatJSON
import AmanatProtocol
import NIOHTTP1

/// One request as a route handler sees it.
struct RouteRequest {
    /// Who asks.
    var principal: Principal
    /// The path parameter, for routes that take one (`/v1/forms/{id}`).
    var parameter: String
    /// The request's Content-Type.
    var contentType: String?
    /// Its Content-Length, when given.
    var expectedLength: Int?
    /// Its body, as it arrives.
    var body: RequestBody
    /// Its headers, for the routes that read more than the above (uploads).
    var headers: HTTPHeaders = HTTPHeaders()
    /// Ends the request's connection: another request for the same upload calls it.
    var interrupt: @Sendable () -> Void = {}
}

/// One row of the route table: everything the HTTP adapter needs to know of an endpoint before it reads a
/// body byte, and the call into the intake core.
struct Route: Sendable {
    /// Which paths it serves.
    enum Path: Sendable {
        case exact(String)
        /// The rest of the path, after this prefix, is the handler's parameter.
        case parameter(prefix: String)
        /// What lies between the prefix and the suffix, one non-empty path segment, is the handler's parameter.
        case segment(prefix: String, suffix: String)
    }

    /// Which body limit of the config applies.
    enum BodyLimit: Sendable {
        /// `limits.max_body_bytes`.
        case standard
        /// `limits.max_admin_body_bytes`, for admins.
        case admin
        /// `limits.max_file_bytes`: an upload's append, written to its file as it arrives (never held whole), and
        /// bound by `upload_stall_timeout_seconds` between bytes instead of `request_timeout_seconds`.
        case upload
    }

    /// Which rate limit applies.
    enum RateClass: Sendable {
        case unlimited
        /// `limits.submissions_per_minute`, per uid.
        case submission
        /// `limits.submissions_per_minute` too, per uid, in a bucket of its own: a check before the files go up
        /// takes nothing from the submissions, and costs less than one (no sealing, no commit).
        case check
    }

    let method: HTTPMethod
    let path: Path
    /// Its path in logs, `{id}` for a parameter: never the raw path, which could carry submitted text.
    let template: String
    /// The core's operation, whose role the adapter checks before reading the body.
    let operation: IntakeCore.Operation
    let bodyLimit: BodyLimit
    let rateClass: RateClass
    let handle: @Sendable (IntakeCore, RouteRequest) async throws(IntakeError) -> Response

    /// The body limit in bytes under `limits`.
    func bodyLimit(_ limits: Limits) -> Int {
        switch bodyLimit {
        case .standard: limits.maxBodyBytes
        case .admin: limits.maxAdminBodyBytes
        case .upload: limits.maxFileBytes
        }
    }
}

extension Route {
    /// Protocol version 1 (docs/PROTOCOL.md). GET routes answer HEAD too.
    static let table: [Route] = [
        Route(method: .GET, path: .exact(Endpoint.health), template: "/v1/health", operation: .health,
              bodyLimit: .standard, rateClass: .unlimited) { core, request throws(IntakeError) in
            try core.authorise(request.principal, .health)
            return .json(200, .object(["status": .string("ok"), "version": .string(AmanatVersion.text)]))
        },
        Route(method: .GET, path: .exact(Endpoint.forms), template: "/v1/forms", operation: .listForms,
              bodyLimit: .standard, rateClass: .unlimited) { core, request throws(IntakeError) in
            .json(200, .object(["forms": .array(try core.forms(request.principal).map(\.summaryJSON))]))
        },
        Route(method: .GET, path: .parameter(prefix: Endpoint.formPrefix), template: "/v1/forms/{id}",
              operation: .readForm, bodyLimit: .standard, rateClass: .unlimited) { core, request throws(IntakeError) in
            .json(200, try core.form(request.principal, id: request.parameter).json)
        },
        Route(method: .GET, path: .exact(Endpoint.signingKey), template: "/v1/signing-key", operation: .readSigningKey,
              bodyLimit: .standard, rateClass: .unlimited) { core, request throws(IntakeError) in
            let key = try core.signingKey(request.principal)
            return .json(200, .object(["signing_key": .string(key.text), "fingerprint": .string(key.fingerprint)]))
        },
        Route(method: .POST, path: .exact(Endpoint.testimonies), template: "/v1/testimonies", operation: .submit,
              bodyLimit: .standard, rateClass: .submission) { core, request throws(IntakeError) in
            let stored = try await core.submit(
                request.principal, contentType: request.contentType, body: request.body,
                expectedLength: request.expectedLength
            )
            var answer: [String: JSONValue] = [
                "record_id": .string(stored.recordID.text), "received": .string(stored.received),
                "receipt": stored.receipt.json, "withdrawal_token": .string(stored.withdrawalToken),
            ]
            if let attachments = stored.attachments { answer["attachments"] = .array(attachments.map(\.json)) }
            return .json(201, .object(answer))
        },
        Route(method: .POST, path: .exact(Endpoint.testimonyCheck), template: "/v1/testimonies/check",
              operation: .checkSubmission, bodyLimit: .standard, rateClass: .check
        ) { core, request throws(IntakeError) in
            try await core.checkSubmission(
                request.principal, contentType: request.contentType, body: request.body,
                expectedLength: request.expectedLength
            )
            return .noContent([])
        },
        Route(method: .POST, path: .segment(prefix: Endpoint.recordPrefix, suffix: Endpoint.attachmentsSuffix),
              template: "/v1/records/{id}/attachments", operation: .attach, bodyLimit: .standard,
              rateClass: .submission) { core, request throws(IntakeError) in
            let stored = try await core.attach(
                request.principal, recordText: request.parameter, contentType: request.contentType, body: request.body,
                expectedLength: request.expectedLength
            )
            return .json(201, .object([
                "record_id": .string(stored.recordID.text), "attachments": .array(stored.attachments.map(\.json)),
            ]))
        },
        Route(method: .POST, path: .segment(prefix: Endpoint.recordPrefix, suffix: Endpoint.addendaSuffix),
              template: "/v1/records/{id}/addenda", operation: .addAddendum, bodyLimit: .standard,
              rateClass: .submission) { core, request throws(IntakeError) in
            let stored = try await core.addAddendum(
                request.principal, recordText: request.parameter, contentType: request.contentType, body: request.body,
                expectedLength: request.expectedLength
            )
            return .json(201, .object([
                "record_id": .string(stored.recordID.text), "addendum_id": .string(stored.addendumID.hex),
                "position": .number(String(stored.position)), "receipt": stored.receipt.json,
            ]))
        },
        Route(method: .POST, path: .exact(Endpoint.withdrawals), template: "/v1/withdrawals", operation: .withdraw,
              bodyLimit: .standard, rateClass: .submission) { core, request throws(IntakeError) in
            let recordID = try await core.withdraw(
                request.principal, contentType: request.contentType, body: request.body,
                expectedLength: request.expectedLength
            )
            return .json(200, .object(["record_id": .string(recordID.text), "withdrawn": .bool(true)]))
        },
        Route(method: .POST, path: .exact(Endpoint.adminRewrap), template: "/v1/admin/rewrap", operation: .importRewrap,
              bodyLimit: .admin, rateClass: .unlimited) { core, request throws(IntakeError) in
            let count = try await core.importRewrap(
                request.principal, body: request.body, expectedLength: request.expectedLength
            )
            return .json(200, .object(["replaced": .number(String(count))]))
        },
        Route(method: .POST, path: .exact(Endpoint.adminExport), template: "/v1/admin/export", operation: .export,
              bodyLimit: .admin, rateClass: .unlimited) { core, request throws(IntakeError) in
            let snapshot = try await core.export(request.principal)
            var response = Response(status: 200, contentType: "application/vnd.sqlite3", body: [])
            response.bodyFile = (snapshot.path, snapshot.size)
            response.whenDone = { snapshot.remove() }
            response.headers = [
                ("Amanat-Ledger-Seq", String(snapshot.checkpoint.ledgerSeq)),
                ("Amanat-Record-Count", String(snapshot.checkpoint.recordCount)),
                ("Amanat-Head-Hash", Hex.encode(snapshot.checkpoint.headHash)),
            ]
            return response
        },
        Route(method: .POST, path: .exact(Endpoint.uploads), template: "/v1/uploads", operation: .createUpload,
              bodyLimit: .standard, rateClass: .unlimited) { core, request throws(IntakeError) in
            let length = try UploadHeaders.integer(request.headers, "Upload-Length")
            if try UploadHeaders.boolean(request.headers, "Upload-Complete", required: false) == true && length != 0 {
                throw IntakeError(.inconsistentUploadLength, "a new upload is empty: send Upload-Complete: ?0")
            }
            guard (request.expectedLength ?? 0) == 0 else {
                throw IntakeError(.invalidUploadRequest, "POST /v1/uploads takes no body; send the bytes with PATCH")
            }
            let upload = try await core.createUpload(request.principal, length: length)
            var response = Response.json(201, .object([
                "upload_id": .string(upload.id.hex), "length": .number(String(upload.length)),
                "offset": .number(String(upload.offset)),
                "expires_in_seconds": .number(String(core.uploadLimits.expirySeconds)),
            ]))
            response.headers = [
                ("Location", Endpoint.upload(upload.id.hex)), ("Upload-Offset", String(upload.offset)),
                ("Upload-Limit", "max-size=\(upload.length)"),
            ]
            return response
        },
        Route(method: .HEAD, path: .parameter(prefix: Endpoint.uploadPrefix), template: "/v1/uploads/{id}",
              operation: .readUpload, bodyLimit: .standard, rateClass: .unlimited
        ) { core, request throws(IntakeError) in
            let upload = try await core.uploadStatus(request.principal, id: request.parameter, interrupt: nil)
            return .noContent(UploadHeaders.state(upload) + [("Upload-Length", String(upload.length))])
        },
        Route(method: .PATCH, path: .parameter(prefix: Endpoint.uploadPrefix), template: "/v1/uploads/{id}",
              operation: .appendUpload, bodyLimit: .upload, rateClass: .unlimited
        ) { core, request throws(IntakeError) in
            let offset = try UploadHeaders.integer(request.headers, "Upload-Offset")
            let complete = try UploadHeaders.boolean(request.headers, "Upload-Complete", required: true) ?? false
            let upload = try await core.appendUpload(
                request.principal, id: request.parameter, offset: offset, complete: complete,
                contentType: request.contentType, expectedLength: request.expectedLength, body: request.body,
                interrupt: request.interrupt
            )
            return .noContent(UploadHeaders.state(upload))
        },
        Route(method: .DELETE, path: .parameter(prefix: Endpoint.uploadPrefix), template: "/v1/uploads/{id}",
              operation: .deleteUpload, bodyLimit: .standard, rateClass: .unlimited
        ) { core, request throws(IntakeError) in
            try await core.deleteUpload(request.principal, id: request.parameter)
            return .noContent([])
        },
        Route(method: .GET, path: .parameter(prefix: Endpoint.draftPrefix), template: "/v1/drafts/{id}",
              operation: .readDraft, bodyLimit: .standard, rateClass: .unlimited
        ) { core, request throws(IntakeError) in
            Response(
                status: 200, contentType: IntakeCore.draftMediaType,
                body: try await core.draft(request.principal, id: request.parameter)
            )
        },
        Route(method: .PUT, path: .parameter(prefix: Endpoint.draftPrefix), template: "/v1/drafts/{id}",
              operation: .saveDraft, bodyLimit: .standard, rateClass: .unlimited
        ) { core, request throws(IntakeError) in
            try await core.saveDraft(
                request.principal, id: request.parameter, contentType: request.contentType, body: request.body,
                expectedLength: request.expectedLength
            )
            return .json(200, .object([
                "expires_in_seconds": .number(String(core.drafts?.limits.expirySeconds ?? 0)),
            ]))
        },
        Route(method: .DELETE, path: .parameter(prefix: Endpoint.draftPrefix), template: "/v1/drafts/{id}",
              operation: .deleteDraft, bodyLimit: .standard, rateClass: .unlimited
        ) { core, request throws(IntakeError) in
            try await core.deleteDraft(request.principal, id: request.parameter)
            return .noContent([])
        },
    ]

    /// What the table says of a request line.
    enum Resolution {
        case route(Route, parameter: String)
        /// A known path, another method: 405 with these methods in `Allow`.
        case methodNotAllowed(allowed: String, operation: IntakeCore.Operation, template: String)
        case notFound
    }

    static func resolve(method: HTTPMethod, uri: String) -> Resolution {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        var known: [Route] = []
        var parameter = ""
        for route in table {
            switch route.path {
            case .exact(let exact) where exact == path:
                known.append(route)
            case .parameter(let prefix) where path.hasPrefix(prefix):
                known.append(route)
                parameter = String(path.dropFirst(prefix.count))
            case .segment(let prefix, let suffix)
            where path.hasPrefix(prefix) && path.hasSuffix(suffix)
                && path.utf8.count > prefix.utf8.count + suffix.utf8.count:
                let middle = path.dropFirst(prefix.count).dropLast(suffix.count)
                guard !middle.contains("/") else { continue }
                known.append(route)
                parameter = String(middle)
            default: continue
            }
        }
        guard let first = known.first else { return .notFound }
        if let route = known.first(where: { $0.method == method || ($0.method == .GET && method == .HEAD) }) {
            return .route(route, parameter: parameter)
        }
        let allowed = known.map { $0.method == .GET ? "GET, HEAD" : $0.method.rawValue }.joined(separator: ", ")
        return .methodNotAllowed(allowed: allowed, operation: first.operation, template: first.template)
    }
}

extension Route {
    /// Whether the request line is an upload's append, whose body streams to a file under the stall deadline.
    static func streamsUpload(method: HTTPMethod, uri: String) -> Bool {
        guard method == .PATCH, case .route(let route, _) = resolve(method: method, uri: uri) else { return false }
        return route.bodyLimit == .upload
    }
}

extension Route.Resolution {
    /// Whether the request may store, change or export records (``IntakeCore/Operation/datesRecords``).
    var datesRecords: Bool {
        switch self {
        case .route(let route, _): route.operation.datesRecords
        case .methodNotAllowed, .notFound: false
        }
    }

    /// The request's name in logs: its method and the route's template.
    func name(method: HTTPMethod) -> String {
        switch self {
        case .route(let route, _): "\(method.rawValue) \(route.template)"
        case .methodNotAllowed(_, _, let template): "\(method.rawValue) \(template)"
        case .notFound: "\(method.rawValue) (unknown)"
        }
    }
}

extension StoredAttachment {
    /// An attachment's line in an answer (PROTOCOL.md 2.10).
    var json: JSONValue {
        .object([
            "attachment_id": .string(attachmentID.hex), "position": .number(String(position)),
            "stored_size": .number(String(storedSize)), "receipt": receipt.json,
        ])
    }
}

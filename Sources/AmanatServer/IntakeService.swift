import AmanatArchive
import AmanatFormat
import AmanatForms
import AmanatJSON
public import AmanatCrypto
public import AmanatStore
public import Logging

/// A response before it is put on the wire.
public struct Response: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The content type.
    public var contentType: String
    /// The body.
    public var body: [UInt8]
    /// Extra headers.
    public var headers: [(String, String)] = []
    /// A file sent as the body instead of `body`, streamed, and removed once sent (or not).
    public var bodyFile: (path: String, size: Int)?

    static func json(_ status: Int, _ value: JSONValue) -> Response {
        Response(status: status, contentType: "application/json", body: value.canonicalBytes())
    }

    static func problem(_ problem: Problem) -> Response {
        Response(status: problem.status, contentType: "application/problem+json", body: problem.json.canonicalBytes())
    }

    static func tooManySubmissions(perMinute: Int) -> Response {
        var response = problem(.tooManySubmissions)
        response.headers.append(("Retry-After", String(max(1, (60 + perMinute - 1) / perMinute))))
        return response
    }

    static func methodNotAllowed(_ allowed: String) -> Response {
        var response = problem(.methodNotAllowed(allowed))
        response.headers.append(("Allow", allowed))
        return response
    }
}

/// The protocol's endpoints (docs/PROTOCOL.md), independent of the transport.
public struct IntakeService: Sendable {
    /// The daemon's version, reported by `/v1/health`.
    public static let version = AmanatVersion.text

    /// The settings in force, which SIGHUP can replace.
    public let state: ServiceState
    let store: RecordStore
    let signingKey: SigningKey
    let logger: Logger

    /// A service over `store`, signing receipts with `signingKey`.
    public init(
        configuration: ServerConfiguration, catalog: FormCatalog, store: RecordStore, signingKey: SigningKey,
        logger: Logger
    ) {
        self.state = ServiceState(configuration: configuration, catalog: catalog)
        self.store = store
        self.signingKey = signingKey
        self.logger = logger
    }

    /// The route's name for logs: never the raw path, which could carry submitted text.
    static func routeName(method: String, path: String) -> String {
        let trimmed = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch trimmed {
        case "/v1/health", "/v1/forms", "/v1/testimonies", "/v1/signing-key", "/v1/withdrawals", "/v1/admin/rewrap",
            "/v1/admin/export":
            return "\(method) \(trimmed)"
        default: return trimmed.hasPrefix("/v1/forms/") ? "\(method) /v1/forms/{id}" : "\(method) (unknown)"
        }
    }

    /// Answers one request.
    public func respond(
        role: AccessPolicy.Role, method: String, path: String, contentType: String?, body: [UInt8]
    ) async -> Response {
        guard role >= .submitter else { return .problem(.forbidden) }
        // One snapshot per request: a reload in the middle cannot mix old forms with new keys.
        let snapshot = state.snapshot
        let catalog = snapshot.catalog
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch route {
        case "/v1/health":
            guard method == "GET" || method == "HEAD" else { return .methodNotAllowed("GET, HEAD") }
            return .json(200, .object(["status": .string("ok"), "version": .string(Self.version)]))
        case "/v1/forms":
            guard method == "GET" || method == "HEAD" else { return .methodNotAllowed("GET, HEAD") }
            return .json(200, .object(["forms": .array(catalog.forms.map(\.summaryJSON))]))
        case "/v1/testimonies":
            guard method == "POST" else { return .methodNotAllowed("POST") }
            return await submit(contentType: contentType, body: body, snapshot: snapshot)
        case "/v1/signing-key":
            guard method == "GET" || method == "HEAD" else { return .methodNotAllowed("GET, HEAD") }
            return .json(200, .object([
                "signing_key": .string(signingKey.publicKey.text),
                "fingerprint": .string(signingKey.publicKey.fingerprint),
            ]))
        case "/v1/withdrawals":
            guard method == "POST" else { return .methodNotAllowed("POST") }
            guard let contentType, Self.isJSON(contentType) else { return .problem(.unsupportedMediaType) }
            return await withdraw(body)
        case "/v1/admin/rewrap":
            guard role == .admin else { return .problem(.adminOnly) }
            guard method == "POST" else { return .methodNotAllowed("POST") }
            return await importRewrap(body)
        case "/v1/admin/export":
            guard role == .admin else { return .problem(.adminOnly) }
            guard method == "POST" else { return .methodNotAllowed("POST") }
            return await export()
        default:
            guard route.hasPrefix("/v1/forms/") else { return .problem(.notFound) }
            guard method == "GET" || method == "HEAD" else { return .methodNotAllowed("GET, HEAD") }
            let id = String(route.dropFirst("/v1/forms/".count))
            guard let form = catalog.form(id: id) else { return .problem(.unknownForm) }
            return .json(200, form.json)
        }
    }

    func submit(contentType: String?, body: [UInt8], snapshot: ServiceState.Snapshot) async -> Response {
        guard let contentType, Self.isJSON(contentType) else { return .problem(.unsupportedMediaType) }
        let testimony: ValidatedTestimony
        do {
            testimony = try validate(body, snapshot: snapshot)
        } catch {
            return .problem(error)
        }
        let recordID = RecordID.random()
        let record: StoredRecord
        let token: (text: String, hash: [UInt8])
        do {
            record = try seal(testimony, recordID: recordID, configuration: snapshot.configuration)
            token = try WithdrawalToken.make(for: recordID, key: signingKey)
        } catch {
            logger.error("sealing failed", metadata: ["error": "\(error)"])
            return .problem(.internalError)
        }
        let appended: AppendedRecord
        do {
            appended = try await store.append(record, withdrawalTokenHash: token.hash)
            // No record id or sequence number: journald stamps every line with the exact time, which
            // would undo the coarse received date stored with the record.
            logger.info("testimony stored")
        } catch {
            logger.error("storing failed", metadata: ["error": "\(error.message)"])
            return .problem(error.kind == .diskFull ? .diskFull : error.kind == .closed ? .unavailable : .internalError)
        }
        // Signed only now that the record and its entry are durable.
        let receipt = Receipt(signing: signingKey, recordID: recordID, seq: appended.entry.seq, entryHash: appended.entry.entryHash)
        return .json(201, .object([
            "record_id": .string(recordID.text), "received": .string(record.received), "receipt": receipt.json,
            "withdrawal_token": .string(token.text),
        ]))
    }

    /// Erases a record at the witness's request. A wrong token, an unknown id and a record already withdrawn
    /// get the same answer, so nobody can learn which ids exist.
    func withdraw(_ body: [UInt8]) async -> Response {
        guard case .object(let members)? = try? JSONParser(maxDepth: 2).parse(body),
              Set(members.keys) == ["record_id", "token"],
              let idText = members["record_id"]?.stringValue, let recordID = RecordID(text: idText),
              let tokenText = members["token"]?.stringValue, var token = WithdrawalToken.decode(tokenText)
        else {
            return .problem(Problem(
                "invalid-withdrawal", status: 422, title: "Invalid withdrawal request",
                detail: "the body must be {\"record_id\": 32 hex digits, \"token\": \"amanat-wt-…\"}"
            ))
        }
        defer { wipe(&token) }
        do {
            guard try await store.withdraw(recordID, token: token) else {
                logger.notice("withdrawal refused")
                return .problem(Problem(
                    "withdrawal-refused", status: 404, title: "Withdrawal refused",
                    detail: "no record has this id and token; nothing was changed"
                ))
            }
        } catch {
            logger.error("withdrawal failed", metadata: ["error": "\(error.message)"])
            return .problem(error.kind == .diskFull ? .diskFull : .internalError)
        }
        logger.notice("testimony withdrawn")
        return .json(200, .object(["record_id": .string(recordID.text), "withdrawn": .bool(true)]))
    }

    /// A consistent snapshot for the offline machine, with a fresh signed checkpoint, streamed as the body.
    func export() async -> Response {
        let snapshot: ExportedSnapshot
        do {
            snapshot = try await store.exportSnapshot()
        } catch {
            logger.error("export failed", metadata: ["error": "\(error.message)"])
            return .problem(error.kind == .diskFull ? .diskFull : .internalError)
        }
        logger.notice("export made", metadata: ["ledger.seq": "\(snapshot.checkpoint.ledgerSeq)", "bytes": "\(snapshot.size)"])
        var response = Response(status: 200, contentType: "application/vnd.sqlite3", body: [])
        response.bodyFile = (snapshot.path, snapshot.size)
        response.headers = [
            ("Amanat-Ledger-Seq", String(snapshot.checkpoint.ledgerSeq)),
            ("Amanat-Record-Count", String(snapshot.checkpoint.recordCount)),
            ("Amanat-Head-Hash", Hex.encode(snapshot.checkpoint.headHash)),
        ]
        return response
    }

    /// Replaces envelopes from a rewrap file in one transaction, or changes nothing.
    func importRewrap(_ body: [UInt8]) async -> Response {
        let file: RewrapFile
        do {
            file = try RewrapFile(decoding: body)
        } catch {
            return .problem(Problem("invalid-rewrap", status: 422, title: "Invalid rewrap file", detail: error.description))
        }
        let replacements = file.entries.map {
            RecordStore.EnvelopeReplacement(
                recordID: $0.recordID, identity: $0.identity, testimony: $0.testimony, replaces: $0.replaces
            )
        }
        do {
            try await store.replaceEnvelopes(replacements)
        } catch {
            switch error.kind {
            case .unknownRecord:
                return .problem(Problem("unknown-record", status: 422, title: "Unknown record",
                                        detail: "\(error.message); nothing was replaced"))
            case .recordChanged:
                return .problem(Problem("record-changed", status: 409, title: "Record changed",
                                        detail: "\(error.message); nothing was replaced"))
            case .diskFull: return .problem(.diskFull)
            default:
                logger.error("rewrap import failed", metadata: ["error": "\(error.message)"])
                return .problem(.internalError)
            }
        }
        logger.notice("envelopes replaced", metadata: ["records.count": "\(replacements.count)"])
        return .json(200, .object(["replaced": .number(String(replacements.count))]))
    }

    func validate(_ body: [UInt8], snapshot: ServiceState.Snapshot) throws(Problem) -> ValidatedTestimony {
        let configuration = snapshot.configuration
        let document: JSONValue
        do {
            document = try JSONParser(maxDepth: configuration.limits.maxJSONDepth).parse(body)
        } catch {
            switch error.kind {
            case .invalidUTF8: throw Problem.invalidEncoding
            case .tooDeep: throw Problem.tooDeep(configuration.limits.maxJSONDepth)
            case .duplicateKey: throw Problem.invalidJSON("the body has a duplicate key at byte \(error.offset)")
            default: throw Problem.invalidJSON("the body is not valid JSON (at byte \(error.offset))")
            }
        }
        guard case .object(let top) = document else {
            throw Problem.validation(ValidationError(.notAnObject, field: nil, "the body must be a JSON object"))
        }
        guard top.keys.allSatisfy({ $0 == "form" || $0 == "fields" }) else {
            throw Problem.validation(
                ValidationError(.unknownField, field: nil, "the body may only have the members \"form\" and \"fields\"")
            )
        }
        guard let formMember = top["form"] else {
            throw Problem.validation(ValidationError(.missingField, field: "form", "\"form\" is required"))
        }
        guard case .string(let formID) = formMember else {
            throw Problem.validation(ValidationError(.wrongType, field: "form", "\"form\" must be a form id string"))
        }
        guard let form = snapshot.catalog.form(id: formID) else {
            throw Problem.validation(ValidationError(.unknownForm, field: nil, "there is no form with that id"))
        }
        do {
            return try form.validate(fields: top["fields"] ?? .null)
        } catch {
            throw Problem.validation(error)
        }
    }

    func seal(
        _ testimony: ValidatedTestimony, recordID: RecordID, configuration: ServerConfiguration
    ) throws(CryptoError) -> StoredRecord {
        var envelopes: [Section: [UInt8]] = [:]
        for section in Section.sealed {
            var plaintext = testimony.canonicalJSON(section)
            defer { wipe(&plaintext) }
            let envelope = try Envelope.seal(
                plaintext, section: section, recordID: recordID, recipients: configuration.recipients(for: section)
            )
            envelopes[section] = envelope.encoded()
        }
        return StoredRecord(
            recordID: recordID, formID: testimony.formID, formVersion: testimony.formVersion,
            received: configuration.receivedPrecision.stampNow(),
            clearJSON: String(decoding: testimony.canonicalJSON(.clear), as: UTF8.self),
            identityEnvelope: envelopes[.identity]!, testimonyEnvelope: envelopes[.testimony]!
        )
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: " \t").lowercased() == "application/json"
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}


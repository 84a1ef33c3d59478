import AmanatModel
import AmanatCrypto
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
    let logger: Logger

    /// A service over `store`.
    public init(configuration: ServerConfiguration, catalog: FormCatalog, store: RecordStore, logger: Logger) {
        self.state = ServiceState(configuration: configuration, catalog: catalog)
        self.store = store
        self.logger = logger
    }

    /// The route's name for logs: never the raw path, which could carry submitted text.
    static func routeName(method: String, path: String) -> String {
        let trimmed = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch trimmed {
        case "/v1/health", "/v1/forms", "/v1/testimonies", "/v1/admin/rewrap": return "\(method) \(trimmed)"
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
        case "/v1/admin/rewrap":
            guard role == .admin else { return .problem(.adminOnly) }
            guard method == "POST" else { return .methodNotAllowed("POST") }
            return await importRewrap(body)
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
        do {
            record = try seal(testimony, recordID: recordID, configuration: snapshot.configuration)
        } catch {
            logger.error("sealing failed", metadata: ["error": "\(error)"])
            return .problem(.internalError)
        }
        do {
            _ = try await store.append(record)
            // No record id or sequence number: journald stamps every line with the exact time, which
            // would undo the coarse received date stored with the record.
            logger.info("testimony stored")
        } catch {
            logger.error("storing failed", metadata: ["error": "\(error.message)"])
            return .problem(error.kind == .diskFull ? .diskFull : error.kind == .closed ? .unavailable : .internalError)
        }
        return .json(201, .object(["record_id": .string(recordID.text), "received": .string(record.received)]))
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
            RecordStore.EnvelopeReplacement(recordID: $0.recordID, identity: $0.identity, testimony: $0.testimony)
        }
        do {
            try await store.replaceEnvelopes(replacements)
        } catch {
            switch error.kind {
            case .unknownRecord:
                return .problem(Problem("unknown-record", status: 422, title: "Unknown record",
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
        guard Set(top.keys).isSubset(of: ["form", "fields"]) else {
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


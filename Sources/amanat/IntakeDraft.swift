import AmanatClient
import AmanatCrypto
import AmanatDraftSealing
import AmanatJSON
import AmanatProtocol
import Glibc

/// The encrypted draft of one guided intake on the intake host (PROTOCOL.md section 2.13, FORMAT.md section 15):
/// saved after every answer, so that a crash or a power cut does not lose the interview, and deleted when the
/// testimony is sent or discarded; amanatd deletes it by itself `expirySeconds` after the last save.
///
/// Nothing of it is written on this machine. Its code exists on the screen and on the volunteer's paper; amanat keeps
/// the code's bytes and the key derived from them in `sodium_malloc` memory.
struct IntakeDraft {
    let code: DraftCode
    let options: GlobalOptions
    /// amanatd's `draft_expiry_seconds`, as its first save answered.
    var expirySeconds = 0
    /// Whether the last save failed (said once, until one succeeds again).
    var failing = false

    /// What a snapshot says of the interview: the form, the answers, the files and where it stopped.
    struct Snapshot {
        var form: String
        var formVersion: Int
        var fields: [String: JSONValue]
        var files: [String]
        /// The index of the next field to ask; the number of fields once the review was reached.
        var next: Int

        var json: JSONValue {
            .object([
                "form": .string(form), "form_version": .number(String(formVersion)), "fields": .object(fields),
                "files": .array(files.map(JSONValue.string)), "next": .number(String(next)),
            ])
        }

        init(form: String, formVersion: Int, fields: [String: JSONValue], files: [String], next: Int) {
            self.form = form
            self.formVersion = formVersion
            self.fields = fields
            self.files = files
            self.next = next
        }

        /// The snapshot in `json`; nil when it is not one.
        init?(_ json: JSONValue) {
            func integer(_ name: String) -> Int? { json[name]?.numberLiteral.flatMap { Int($0) } }
            guard let form = json["form"]?.stringValue, let version = integer("form_version"),
                let fields = json["fields"]?.objectValue, let files = json["files"]?.arrayValue,
                let next = integer("next"), next >= 0
            else { return nil }
            self.init(
                form: form, formVersion: version, fields: fields, files: files.compactMap(\.stringValue), next: next
            )
        }
    }

    /// Why a save or a load did not happen, in words for the volunteer.
    enum Failure: Error {
        /// amanatd has no draft of this uid with this code's id (never saved, expired, sent or discarded).
        case notFound
        /// amanatd keeps no drafts (an older amanatd, or none configured).
        case unsupported
        /// The draft did not open under the code.
        case unreadable
        /// amanatd could not be reached, or refused: its detail.
        case other(String)
    }

    /// The code as the paper shows it: six groups of four and the check letter.
    var codeLine: String {
        let text = code.text
        return WithdrawalSlip.grouped(text + String(WithdrawalSlip.check(for: text, in: WithdrawalSlip.base32Alphabet)))
    }

    /// A code typed by a person: any case, spaces and dashes anywhere, the check letter optional.
    static func parse(_ typed: String) -> Result<DraftCode, WithdrawalSlip.Typo> {
        WithdrawalSlip.parse(typed, prefix: nil, length: DraftCode.textLength, alphabet: WithdrawalSlip.base32Alphabet)
            .flatMap { text -> Result<DraftCode, WithdrawalSlip.Typo> in
                guard let code = DraftCode(text: text) else { return .failure(.check) }
                return .success(code)
            }
    }

    /// Encrypts `snapshot` and stores it on the host in place of the last one.
    mutating func save(_ snapshot: Snapshot) throws(Failure) {
        var plain = snapshot.json.canonicalBytes()
        defer { wipe(&plain) }
        let sealed: [UInt8]
        do {
            sealed = try plain.withUnsafeBytes { raw throws(CryptoError) in try DraftSealing.seal(raw, code: code) }
        } catch {
            throw .other("\(error)")
        }
        let response = try request("PUT", body: sealed)
        let answer = try? JSONParser(maxDepth: 4).parse(response.body)
        if let seconds = answer?["expires_in_seconds"]?.numberLiteral.flatMap({ Int($0) }) { expirySeconds = seconds }
    }

    /// Fetches and opens the draft of the code.
    func load() throws(Failure) -> Snapshot {
        let response = try request("GET", body: nil)
        let plain: SecretBytes
        do {
            plain = try DraftSealing.open(response.body, code: code)
        } catch {
            throw .unreadable
        }
        var bytes = plain.withUnsafeBytes { Array($0) }
        defer { wipe(&bytes) }
        guard let json = try? JSONParser(maxDepth: 64).parse(bytes), let snapshot = Snapshot(json) else {
            throw .unreadable
        }
        return snapshot
    }

    /// Deletes the draft on the host; a draft that is already gone is fine.
    func delete() throws(Failure) {
        do {
            _ = try request("DELETE", body: nil)
        } catch .notFound {
            return
        }
    }

    private func request(_ method: String, body: [UInt8]?) throws(Failure) -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try options.client.request(
                method: method, path: Endpoint.draft(code.id), body: body, contentType: "application/octet-stream"
            )
        } catch {
            throw .other(error.description)
        }
        guard (200..<300).contains(response.status) else {
            switch response.problem?.slug {
            case "unknown-draft": throw .notFound
            // An amanatd without the route, or that keeps no drafts.
            case "not-found", "method-not-allowed", "unavailable": throw .unsupported
            default: throw .other(response.problem?.message ?? "amanatd answered HTTP \(response.status)")
            }
        }
        return response
    }
}

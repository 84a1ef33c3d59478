import AmanatSigning
import AmanatSealing
import AmanatFormFiles
import AmanatCrypto
import AmanatArchive
import AmanatFormat
import AmanatForms
import AmanatJSON
import AmanatStore
import Foundation
import Logging

/// The realistic example testimony, validated against its form: what the intake load submits and what the
/// key holder's archive is made of.
struct Workload: Sendable {
    /// The request body, as `amanat submit` sends it.
    let body: [UInt8]
    /// The form's id and version.
    let formID: String
    let formVersion: Int
    /// Canonical JSON of each section.
    let identity: [UInt8]
    let testimony: [UInt8]
    let clear: [UInt8]
    /// The form's minimum padded size of each sealed section, which amanatd pads to.
    let minimumPaddedSizes: [Section: Int]
    /// Sizes that describe the example, for the report.
    let narrativeBytes: Int
    let identityFields: Int
    let relatives: Int

    /// The padded sizes of the two sealed sections: what each seal in the daemon encrypts.
    var paddedSectionSizes: [Int] {
        [
            Padding.bucket(forLength: identity.count, minimum: minimumPaddedSizes[.identity] ?? 0),
            Padding.bucket(forLength: testimony.count, minimum: minimumPaddedSizes[.testimony] ?? 0),
        ]
    }

    init(example: String, forms: String) throws {
        guard let body = FileManager.default.contents(atPath: example) else { throw BenchError("cannot read \(example)") }
        self.body = [UInt8](body)
        guard case .object(let top) = try JSONParser(maxDepth: 16).parse(self.body),
            case .string(let formID)? = top["form"], let fields = top["fields"]
        else { throw BenchError("\(example) is not a testimony") }
        let formPath = forms + "/" + formID + ".toml"
        guard let formText = FileManager.default.contents(atPath: formPath) else {
            throw BenchError("cannot read \(formPath)")
        }
        let form = try Form(toml: String(decoding: formText, as: UTF8.self))
        let validated = try form.validate(fields: fields)
        minimumPaddedSizes = form.minimumPaddedSizes
        self.formID = validated.formID
        formVersion = validated.formVersion
        identity = validated.canonicalJSON(.identity)
        testimony = validated.canonicalJSON(.testimony)
        clear = validated.canonicalJSON(.clear)
        if case .string(let narrative)? = validated.sections[.testimony]?["narrative"] {
            narrativeBytes = narrative.utf8.count
        } else {
            narrativeBytes = 0
        }
        identityFields = validated.sections[.identity]?.count ?? 0
        if case .array(let list)? = validated.sections[.identity]?["relatives"] { relatives = list.count } else { relatives = 0 }
    }

    /// One section sealed as amanatd seals it: padded to at least the form's minimum.
    func seal(
        _ plaintext: [UInt8], _ section: Section, recordID: RecordID, recipients: [RecipientPublicKey]
    ) throws -> Envelope {
        try Envelope.seal(
            plaintext, section: section, recordID: recordID, recipients: recipients,
            minimumPaddedSize: minimumPaddedSizes[section] ?? 0
        )
    }

    /// One record as amanatd would store it: a fresh id, both sections sealed to `recipients`.
    func sealedRecord(recipients: [RecipientPublicKey], received: String) throws -> StoredRecord {
        let recordID = RecordID.random()
        let identityEnvelope = try seal(identity, .identity, recordID: recordID, recipients: recipients)
        let testimonyEnvelope = try seal(testimony, .testimony, recordID: recordID, recipients: recipients)
        return StoredRecord(
            recordID: recordID, formID: formID, formVersion: formVersion, received: received,
            clearJSON: String(decoding: clear, as: UTF8.self),
            identityEnvelope: identityEnvelope.encoded(), testimonyEnvelope: testimonyEnvelope.encoded()
        )
    }
}

/// Builds a key holder's archive fast: records are sealed with the library on every core and appended through
/// the store's group commit, instead of being submitted one by one through the socket.
enum ArchiveBuilder {
    static func build(
        path: String, records: Int, workload: Workload, recipients: [RecipientPublicKey]
    ) async throws -> SigningPublicKey {
        // A site key of its own; the key holder verifies the archive against it before opening, as it must.
        let signingKey = try SigningKey(seed: try SecretBytes.random(count: SigningKey.seedLength))
        let store = try RecordStore(
            path: path, notary: signingKey, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        )
        let received = String(ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate]))
        let chunk = 4096
        var done = 0
        while done < records {
            let count = min(chunk, records - done)
            let sealed = try sealInParallel(count: count, workload: workload, recipients: recipients, received: received)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for record in sealed {
                    group.addTask { _ = try await store.append(record) }
                }
                try await group.waitForAll()
            }
            done += count
        }
        // A clean close checkpoints the WAL, as a copy taken with `amanat export` would be.
        await store.close()
        return signingKey.publicKey
    }

    private static func sealInParallel(
        count: Int, workload: Workload, recipients: [RecipientPublicKey], received: String
    ) throws -> [StoredRecord] {
        let cores = ProcStats.cores
        let slices = UncheckedBox(SliceResults(count: cores))
        DispatchQueue.concurrentPerform(iterations: cores) { slice in
            let range = (count * slice / cores)..<(count * (slice + 1) / cores)
            do {
                let records = try range.map { _ in try workload.sealedRecord(recipients: recipients, received: received) }
                slices.value.set(slice, .success(records))
            } catch {
                slices.value.set(slice, .failure(BenchError("sealing failed: \(error)")))
            }
        }
        return try slices.value.all().flatMap { try $0.get() }
    }
}

/// One result slot per thread, each written by its own thread only.
final class SliceResults: @unchecked Sendable {
    private var results: [Result<[StoredRecord], BenchError>]
    private let lock = NSLock()

    init(count: Int) {
        results = Array(repeating: .success([]), count: count)
    }

    func set(_ index: Int, _ value: Result<[StoredRecord], BenchError>) {
        lock.withLock { results[index] = value }
    }

    func all() -> [Result<[StoredRecord], BenchError>] {
        lock.withLock { results }
    }
}

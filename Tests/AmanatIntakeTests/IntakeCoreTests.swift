import AmanatSigning
import AmanatCrypto
import AmanatFormFiles
import AmanatFormat
import AmanatForms
import AmanatIntake
import AmanatStore
import Foundation
import Logging
import Testing

/// The intake core without any transport, over a real SQLite archive in a temporary directory: what every
/// adapter (HTTP today) relies on, checked without a daemon.
@Suite("intake core")
struct IntakeCoreTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let recipient = "amanat-pk-sua3kapgddwmi3dwh7aneet3uasfyxipatpdrvbzigbmgsnmpa2x2qyzae"
    static let submitter = Principal(uid: 1000, role: .submitter)
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A core over a new archive; the directory goes when `body` returns.
    static func withCore(_ body: (IntakeCore, RecordStore) async throws -> Void) async throws {
        try Sodium.initialise()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-core-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let seed = try SecretBytes(count: 32)
        seed.withUnsafeMutableBytes { bytes in for index in 0..<32 { bytes[index] = UInt8(index) } }
        let notary = try SigningKey(seed: seed)
        let store = try RecordStore(path: directory + "/amanat.sqlite", notary: notary, logger: logger)
        let form = try Form(toml: String(contentsOfFile: root + "/config/forms/testimony.toml", encoding: .utf8))
        let key = try RecipientPublicKey(text: recipient)
        let settings = IntakeSettings(
            forms: [form], identityRecipients: [key], testimonyRecipients: [key], receivedPrecision: .day,
            maxJSONDepth: 16
        )
        let core = IntakeCore(archive: store, notary: notary, logger: logger) { settings }
        try await body(core, store)
        await store.close()
    }

    /// `bytes` as the transport would hand them over: in chunks of `size`, then `failure` if given.
    static func body(
        _ bytes: [UInt8], chunk size: Int = 100, failure: (any Error)? = nil
    ) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            var index = 0
            while index < bytes.count {
                continuation.yield(Array(bytes[index..<min(index + size, bytes.count)]))
                index += size
            }
            continuation.finish(throwing: failure)
        }
    }

    static var example: [UInt8] {
        get throws { Array(try Data(contentsOf: URL(fileURLWithPath: root + "/examples/testimony.json"))) }
    }

    @Test("a testimony streamed in chunks is stored, with a receipt the notary's key verifies")
    func submit() async throws {
        try await Self.withCore { core, store in
            let stored = try await core.submit(
                Self.submitter, contentType: "application/json; charset=utf-8", body: Self.body(try Self.example),
                expectedLength: try Self.example.count
            )
            #expect(stored.receipt.recordID == stored.recordID)
            #expect(stored.receipt.isValid(for: core.notary.publicKey))
            #expect(stored.withdrawalToken.hasPrefix(WithdrawalToken.prefix))
            #expect(try store.count() == 1)
            // The witness's token withdraws it, once.
            let request = Array(
                "{\"record_id\":\"\(stored.recordID.text)\",\"token\":\"\(stored.withdrawalToken)\"}".utf8
            )
            let withdrawn = try await core.withdraw(
                Self.submitter, contentType: "application/json", body: Self.body(request), expectedLength: nil
            )
            #expect(withdrawn == stored.recordID)
            // The same token again is told so; a wrong one gets the answer an unknown id gets.
            let again = IntakeError(.alreadyWithdrawn, "this record was withdrawn already; nothing was changed")
            await #expect(throws: again) {
                _ = try await core.withdraw(
                    Self.submitter, contentType: "application/json", body: Self.body(request), expectedLength: nil
                )
            }
            // Another token of the right shape (its hash, under a key of its own, is not used).
            let otherKey = try SigningKey(seed: SecretBytes(count: 32))
            let wrongToken = try WithdrawalToken.make(for: stored.recordID, key: otherKey).text
            let wrongRequest = Array("{\"record_id\":\"\(stored.recordID.text)\",\"token\":\"\(wrongToken)\"}".utf8)
            let refused = IntakeError(.withdrawalRefused, "no record has this id and token; nothing was changed")
            await #expect(throws: refused) {
                _ = try await core.withdraw(
                    Self.submitter, contentType: "application/json", body: Self.body(wrongRequest), expectedLength: nil
                )
            }
        }
    }

    @Test("roles, media type and a broken body are refused, and nothing is stored")
    func refusals() async throws {
        try await Self.withCore { core, store in
            let example = try Self.example
            func kind(_ operation: () async throws -> Void) async -> IntakeError.Kind? {
                do {
                    try await operation()
                    return nil
                } catch {
                    return (error as? IntakeError)?.kind
                }
            }
            func submit(_ body: AsyncThrowingStream<[UInt8], any Error>, as principal: Principal = Self.submitter,
                        type: String = "application/json") async -> IntakeError.Kind? {
                await kind { _ = try await core.submit(principal, contentType: type, body: body, expectedLength: nil) }
            }
            let nobody = Principal(uid: 4242, role: .none)
            #expect(await submit(Self.body(example), as: nobody) == .forbidden)
            #expect(await kind { _ = try await core.importRewrap(Self.submitter, body: Self.body([]), expectedLength: nil) }
                == .adminOnly)
            #expect(await kind { _ = try await core.export(Self.submitter) } == .adminOnly)
            #expect(await submit(Self.body(example), type: "text/plain") == .unsupportedMediaType)
            // The transport's limit, thrown from inside the body, comes out as it went in.
            let tooLarge = Self.body(example, failure: IntakeError.bodyTooLarge(limit: 10))
            #expect(await submit(tooLarge) == .bodyTooLarge)
            // A peer that goes away mid-body.
            struct Reset: Error {}
            let cut = Self.body(Array(example.prefix(50)), failure: Reset())
            #expect(await submit(cut) == .incompleteBody)
            // Not JSON: the detail names a byte offset, never the content.
            let marker = Array("{\"form\": \"testimony\", MARKER-4711".utf8)
            do throws(IntakeError) {
                _ = try await core.submit(
                    Self.submitter, contentType: "application/json", body: Self.body(marker), expectedLength: nil
                )
                Issue.record("invalid JSON was stored")
            } catch {
                #expect(error.kind == .invalidJSON && !error.detail.contains("MARKER"))
            }
            #expect(try store.count() == 0)
        }
    }

    @Test("the core enforces each operation's role itself, whatever the adapter checked")
    func roles() throws {
        try Sodium.initialise()
        for operation in IntakeCore.Operation.allCases {
            #expect(operation.role == ([.importRewrap, .export].contains(operation) ? .admin : .submitter))
        }
    }
}

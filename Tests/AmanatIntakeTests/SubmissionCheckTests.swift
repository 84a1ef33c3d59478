import AmanatIntake
import AmanatJSON
import AmanatStore
import Testing

/// `IntakeCore.checkSubmission` (PROTOCOL.md 2.14): the submission's decoding and validation, nothing stored.
@Suite("intake core: the check before uploads")
struct SubmissionCheckTests {
    /// The example testimony with `change` applied to its members.
    static func testimony(_ change: (inout [String: JSONValue]) -> Void) throws -> [UInt8] {
        guard case .object(var members) = try JSONParser().parse(IntakeCoreTests.example) else {
            throw TestFailure("the example is not an object")
        }
        change(&members)
        return JSONValue.object(members).canonicalBytes()
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func fields(_ change: @escaping (inout [String: JSONValue]) -> Void) throws -> [UInt8] {
        try testimony { members in
            guard case .object(var fields)? = members["fields"] else { return }
            change(&fields)
            members["fields"] = .object(fields)
        }
    }

    /// What `call` threw, or nil.
    static func refusal(_ call: () async throws(IntakeError) -> Void) async -> IntakeError? {
        do {
            try await call()
            return nil
        } catch {
            return error
        }
    }

    static func placeholder(_ name: String, size: Int) -> JSONValue {
        .object(["name": .string(name), "media_type": .string("video/mp4"), "size": .number(String(size))])
    }

    @Test("a bad field gets the very problem the submission gets, and nothing is stored either way")
    func sameRefusalAsSubmission() async throws {
        let bodies = [
            try Self.fields { $0["full_name"] = nil },
            try Self.fields { $0["language"] = .string("klingon") },
            try Self.fields { $0["unknown_field"] = .string("x") },
            Array("{\"form\":\"testimony\",\"fields\":".utf8),
        ]
        try await IntakeCoreTests.withCore { (core: IntakeCore, store: RecordStore) async throws in
            for body in bodies {
                let checked = await Self.refusal { () throws(IntakeError) in
                    try await core.checkSubmission(
                        IntakeCoreTests.submitter, contentType: "application/json", body: IntakeCoreTests.body(body),
                        expectedLength: body.count
                    )
                }
                let submitted = await Self.refusal { () throws(IntakeError) in
                    _ = try await core.submit(
                        IntakeCoreTests.submitter, contentType: "application/json", body: IntakeCoreTests.body(body),
                        expectedLength: body.count
                    )
                }
                #expect(checked != nil, "the check took a body the submission refuses")
                #expect(checked == submitted)
            }
            #expect(try store.count() == 0)
        }
    }

    @Test("a good testimony with files described by name, type and size only passes, and stores nothing")
    func placeholdersPass() async throws {
        let body = try Self.testimony {
            $0["attachments"] = .array([
                Self.placeholder("interview.mp4", size: 3 << 30), Self.placeholder("b", size: 0),
            ])
        }
        try await IntakeCoreTests.withCore { (core: IntakeCore, store: RecordStore) async throws in
            try await core.checkSubmission(
                IntakeCoreTests.submitter, contentType: "application/json", body: IntakeCoreTests.body(body),
                expectedLength: body.count
            )
            let plain = try IntakeCoreTests.example
            try await core.checkSubmission(
                IntakeCoreTests.submitter, contentType: "application/json", body: IntakeCoreTests.body(plain),
                expectedLength: plain.count
            )
            #expect(try store.count() == 0)
        }
    }

    @Test("placeholders are checked for what they hold: a bad media type, a missing size, too many files")
    func placeholderRules() async throws {
        var badType = Self.placeholder("a.mp4", size: 1)
        if case .object(var members) = badType {
            members["media_type"] = .string("video")
            badType = .object(members)
        }
        let cases: [(JSONValue, IntakeError.Kind)] = [
            (.array([badType]), .invalidAttachment),
            (.array([.object(["name": .string("a"), "media_type": .string("a/b")])]), .invalidAttachment),
            (.array(Array(repeating: Self.placeholder("a", size: 1), count: 65)), .recordTooLarge),
            // The submission's total: two 16 GiB files pass the count, not `max_record_bytes`.
            (.array([Self.placeholder("a", size: 16 << 30), Self.placeholder("b", size: 16 << 30)]), .recordTooLarge),
        ]
        try await IntakeCoreTests.withCore { (core: IntakeCore, _: RecordStore) async throws in
            for (attachments, kind) in cases {
                let body = try Self.testimony { $0["attachments"] = attachments }
                let refused = await Self.refusal { () throws(IntakeError) in
                    try await core.checkSubmission(
                        IntakeCoreTests.submitter, contentType: "application/json", body: IntakeCoreTests.body(body),
                        expectedLength: body.count
                    )
                }
                #expect(refused?.kind == kind, "\(String(describing: refused))")
            }
        }
    }

    @Test("the submission itself still requires upload, sha256 and key")
    func submissionRequiresSentMembers() async throws {
        let body = try Self.testimony { $0["attachments"] = .array([Self.placeholder("a.mp4", size: 1)]) }
        try await IntakeCoreTests.withCore { (core: IntakeCore, store: RecordStore) async throws in
            let refused = await Self.refusal { () throws(IntakeError) in
                _ = try await core.submit(
                    IntakeCoreTests.submitter, contentType: "application/json", body: IntakeCoreTests.body(body),
                    expectedLength: body.count
                )
            }
            #expect(refused?.kind == .invalidAttachment)
            #expect(try store.count() == 0)
        }
    }
}

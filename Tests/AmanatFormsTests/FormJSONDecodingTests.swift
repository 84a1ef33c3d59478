import AmanatFormFiles
import AmanatForms
import AmanatJSON
import Foundation
import Testing

/// Reading a form as `GET /v1/forms/{id}` serves it, which is what the guided intake walks through.
@Suite("form JSON decoding")
struct FormJSONDecodingTests {
    static func shippedForm() throws -> Form {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("config/forms/testimony.toml"), encoding: .utf8)
        return try Form(toml: text)
    }

    @Test("the shipped form survives the trip through its served JSON")
    func roundTrip() throws {
        let form = try Self.shippedForm()
        let served = try JSONParser().parse(form.json.canonicalBytes())
        #expect(try Form(json: served) == form)
    }

    @Test("unknown members are ignored, an unknown field type is refused")
    func unknownMembersAndTypes() throws {
        let form = try Self.shippedForm()
        guard case .object(var object) = form.json, case .array(var fields)? = object["fields"],
              case .object(var first) = fields[0]
        else { Issue.record("the served form is not an object with fields"); return }
        object["future_member"] = .string("ignored")
        first["future_member"] = .bool(true)
        fields[0] = .object(first)
        object["fields"] = .array(fields)
        #expect(try Form(json: .object(object)) == form)

        first["type"] = .string("signature")
        fields[0] = .object(first)
        object["fields"] = .array(fields)
        #expect(throws: FormError.self) { try Form(json: .object(object)) }
    }

    @Test("check validates one answer with the form's rules and returns it in NFC")
    func checkAnswers() throws {
        let form = try Self.shippedForm()
        let name = try #require(form.field(named: "full_name"))
        #expect(try name.check(.string("Сау\u{0306}ле")) == .string("Саўле".nfc))
        if case .string(let stored) = try name.check(.string("и\u{0306}")) {
            #expect(Array(stored.utf8) == Array("й".utf8))
        } else {
            Issue.record("not a string")
        }
        #expect(throws: ValidationError.self) { try name.check(.string("two\nlines")) }
        let date = try #require(form.field(named: "birth_date"))
        #expect(try date.check(.string("1985-07")) == .string("1985-07"))
        #expect(throws: ValidationError.self) { try date.check(.string("1985-02-30")) }
        let language = try #require(form.field(named: "language"))
        #expect(throws: ValidationError.self) { try language.check(.string("xx")) }
        let violations = try #require(form.field(named: "violation_types"))
        #expect(throws: ValidationError.self) { try violations.check(.array([.string("torture"), .string("torture")])) }
    }
}

import AmanatFormat
import AmanatForms
import AmanatIntake
import AmanatJSON

/// The property FuzzAddendum checks, shared with the unit test that replays its corpus (AmanatIntakeTests'
/// FuzzCorpusTests links this file and ShippedForm.swift). Returns the first broken rule, or nil.
func addendumViolation(_ body: [UInt8]) -> String? {
    var noSecrets: [Range<Int>] = []
    let members: [String: JSONValue]
    do {
        members = try IntakeCore.evidenceBody(
            body, members: ["token", "text", "fields"], maxDepth: 16, secretPaths: [], secrets: &noSecrets
        )
    } catch {
        return refusalViolation(error.detail)
    }
    guard noSecrets.isEmpty else { return "a body without secret paths gave secrets" }
    for form in [shippedForm, nil] {
        let addendum: ValidatedAddendum
        do {
            addendum = try Form.validateAddendum(text: members["text"], fields: members["fields"], form: form)
        } catch {
            if let violation = refusalViolation(error.detail) { return violation }
            continue
        }
        if let violation = acceptedAddendumViolation(addendum, form: form) { return violation }
    }
    return nil
}

/// A refusal is one short line.
private func refusalViolation(_ detail: String) -> String? {
    guard !detail.isEmpty, !detail.contains(where: \.isNewline) else { return "a refusal that is not one line" }
    guard detail.utf8.count <= 400 else { return "a refusal of \(detail.utf8.count) bytes" }
    return nil
}

private func acceptedAddendumViolation(_ addendum: ValidatedAddendum, form: Form?) -> String? {
    guard addendum.text != nil || addendum.fields != nil else { return "an empty addendum was accepted" }
    if let text = addendum.text {
        guard Array(text.utf8) == Array(text.nfc.utf8) else { return "accepted text is not in NFC" }
        guard text.unicodeScalars.count <= Form.addendumTextMaxLength else { return "accepted text is too long" }
    }
    if let fields = addendum.fields {
        guard let form else { return "fields were accepted without the record's form" }
        let testimony = Set(form.fields.filter { $0.section == .testimony }.map(\.name))
        guard Set(fields.keys).isSubset(of: testimony) else { return "a field outside the testimony section accepted" }
    }
    // What was accepted is accepted again as itself.
    let again: ValidatedAddendum
    do {
        again = try Form.validateAddendum(
            text: addendum.text.map { .string($0) }, fields: addendum.fields.map { .object($0) }, form: form
        )
    } catch {
        return "an accepted addendum is refused when sent again: \(error)"
    }
    guard again == addendum else { return "an accepted addendum validates to another one when sent again" }
    // The sealed plaintext: canonical JSON of exactly the addendum.
    let addendumID = EvidenceID(bytes: [UInt8](repeating: 0xA5, count: 16))!
    let plaintext = IntakeCore.addendumPlaintext(addendum, addendumID: addendumID)
    guard case .object(let object)? = try? JSONParser(maxDepth: 64).parse(plaintext) else {
        return "the addendum's plaintext does not parse as an object"
    }
    guard JSONValue.object(object).canonicalBytes() == plaintext else { return "the plaintext is not canonical" }
    guard object["v"] == .number("1"), object["addendum_id"] == .string(addendumID.hex),
          object["text"]?.stringValue == addendum.text, object["fields"]?.objectValue == addendum.fields,
          Set(object.keys).isSubset(of: ["addendum_id", "fields", "text", "v"])
    else { return "the plaintext does not hold exactly the addendum" }
    return nil
}

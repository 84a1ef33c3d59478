import AmanatForms
import AmanatJSON

/// amanatd's limits (ServerConfiguration.Limits defaults).
enum Limits {
    static let maxJSONDepth = 16
    static let maxBodyBytes = 1_048_576
}

/// The body check of `IntakeService.validate` (Sources/AmanatServer/IntakeService.swift), step by step, through
/// AmanatModel's public API: parse with the depth limit, require an object with only `form` and `fields`, a
/// string `form` naming a form, then `Form.validate(fields:)`. Returns nil wherever amanatd answers with a problem.
func validateLikeAmanatd(_ body: [UInt8]) -> ValidatedTestimony? {
    guard let document = try? JSONParser(maxDepth: Limits.maxJSONDepth).parse(body) else { return nil }
    checkCanonicalRoundTrip(document)
    guard case .object(let top) = document else { return nil }
    guard Set(top.keys).isSubset(of: ["form", "fields"]) else { return nil }
    guard case .string(let formID)? = top["form"] else { return nil }
    // The catalog holds the one shipped form.
    guard formID == shippedForm.id else { return nil }
    return try? shippedForm.validate(fields: top["fields"] ?? .null)
}

/// Canonical JSON is what gets sealed: parsing it must give back an equal value, and encoding that value again
/// must give the same bytes.
func checkCanonicalRoundTrip(_ value: JSONValue) {
    let canonical = value.canonicalBytes()
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser(maxDepth: Limits.maxJSONDepth).parse(canonical)
    } catch {
        fatalError("canonical JSON of a parsed document does not parse: \(error)")
    }
    guard reparsed == value else { fatalError("canonical JSON of a parsed document parses to another value") }
    guard reparsed.canonicalBytes() == canonical else { fatalError("canonical JSON is not a fixed point") }
}

/// What amanatd seals or stores for each section: its canonical JSON must parse back to exactly its fields.
func checkSections(_ testimony: ValidatedTestimony) {
    for section in Section.allCases {
        let fields = testimony.sections[section] ?? [:]
        let canonical = testimony.canonicalJSON(section)
        let reparsed: JSONValue
        do {
            reparsed = try JSONParser(maxDepth: Limits.maxJSONDepth).parse(canonical)
        } catch {
            fatalError("canonical JSON of section \(section) does not parse: \(error)")
        }
        guard reparsed == .object(fields) else { fatalError("section \(section) does not round-trip") }
        guard reparsed.canonicalBytes() == canonical else { fatalError("section \(section) is not a fixed point") }
    }
}

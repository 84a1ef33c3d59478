import AmanatForms
import AmanatJSON

/// amanatd's limits (ServerConfiguration.Limits defaults).
enum Limits {
    static let maxJSONDepth = 16
    static let maxBodyBytes = 1_048_576
}

/// The body check amanatd's intake core makes (`Submission.decode` in AmanatForms, the same code), with the shipped
/// form as the only form. Returns nil wherever amanatd answers with a problem. The canonical form of any body that
/// parses is checked too.
func validateLikeAmanatd(_ body: [UInt8]) -> ValidatedTestimony? {
    if let document = try? JSONParser(maxDepth: Limits.maxJSONDepth).parse(body) {
        checkCanonicalRoundTrip(document)
    }
    return try? Submission.decode(body, maxDepth: Limits.maxJSONDepth) { $0 == shippedForm.id ? shippedForm : nil }
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

import AmanatForms
import AmanatJSON

/// amanatd's limits (ServerConfiguration.Limits defaults).
enum Limits {
    static let maxJSONDepth = 16
    static let maxBodyBytes = 1_048_576
}

/// The body check amanatd's intake core makes (`Submission.decode` in AmanatForms, the same code), with the shipped
/// form as the only form, then the canonical JSON of the body and of each validated section. Returns the first
/// broken rule, or nil (a body amanatd refuses breaks none).
func bodyViolation(_ body: [UInt8]) -> String? {
    if let document = try? JSONParser(maxDepth: Limits.maxJSONDepth).parse(body),
        let violation = canonicalRoundTripViolation(document)
    {
        return violation
    }
    let decoded = try? Submission.decode(body, maxDepth: Limits.maxJSONDepth) {
        $0 == shippedForm.id ? shippedForm : nil
    }
    return decoded.flatMap(sectionsViolation)
}

/// Canonical JSON is what gets sealed: parsing it must give back an equal value, and encoding that value again
/// must give the same bytes.
func canonicalRoundTripViolation(_ value: JSONValue) -> String? {
    let canonical = value.canonicalBytes()
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser(maxDepth: Limits.maxJSONDepth).parse(canonical)
    } catch {
        return "canonical JSON of a parsed document does not parse: \(error)"
    }
    guard reparsed == value else { return "canonical JSON of a parsed document parses to another value" }
    guard reparsed.canonicalBytes() == canonical else { return "canonical JSON is not a fixed point" }
    return nil
}

/// What amanatd seals or stores for each section: its canonical JSON must parse back to exactly its fields.
func sectionsViolation(_ testimony: ValidatedTestimony) -> String? {
    for section in Section.allCases {
        let fields = testimony.sections[section] ?? [:]
        let canonical = testimony.canonicalJSON(section)
        let reparsed: JSONValue
        do {
            reparsed = try JSONParser(maxDepth: Limits.maxJSONDepth).parse(canonical)
        } catch {
            return "canonical JSON of section \(section) does not parse: \(error)"
        }
        guard reparsed == .object(fields) else { return "section \(section) does not round-trip" }
        guard reparsed.canonicalBytes() == canonical else { return "section \(section) is not a fixed point" }
    }
    return nil
}

import AmanatJSON

/// What `amanat submit FILE` says when amanatd refuses a field the form does not define. amanatd's answer never
/// repeats the name (it is submitted content), but the file is here: the names it uses that the form lacks are
/// found locally, each with the form's closest name, as in `naratives: not a field of form testimony; did you
/// mean narrative?` or `relatives[0].relaton: … did you mean relation?`.
enum FieldHint {
    /// The hint for `body` (the submitted testimony) against `form` (`GET /v1/forms/{id}`), nil when no unknown
    /// name is found.
    static func unknownFields(body: JSONValue, form: JSONValue) -> String? {
        guard case .object(let submission) = body, case .object(let fields)? = submission["fields"],
            case .object(let definition) = form, case .array(let defined)? = definition["fields"]
        else { return nil }
        let formID = definition["id"]?.stringValue ?? "?"
        var byName: [String: [String: JSONValue]] = [:]
        for case .object(let field) in defined {
            if let name = field["name"]?.stringValue { byName[name] = field }
        }
        var hints: [String] = []
        for name in fields.keys.sorted() {
            guard let field = byName[name] else {
                hints.append(hint(path: name, unknown: name, known: Array(byName.keys), formID: formID))
                continue
            }
            // A records field (relatives): each entry's sub-field names.
            guard case .array(let entries)? = fields[name], case .array(let subfields)? = field["fields"] else { continue }
            let known = subfields.compactMap { value -> String? in
                guard case .object(let sub) = value else { return nil }
                return sub["name"]?.stringValue
            }
            for (index, entry) in entries.enumerated() {
                guard case .object(let object) = entry else { continue }
                for key in object.keys.sorted() where !known.contains(key) {
                    hints.append(hint(path: "\(name)[\(index)].\(key)", unknown: key, known: known, formID: formID))
                }
            }
        }
        return hints.isEmpty ? nil : hints.joined(separator: "; ")
    }

    /// The name is repeated only when it is a typo of one of the form's names: a name far from all of them may be
    /// content put in the wrong place (a name, a place), and error text is shown and logged where content must
    /// not be.
    private static func hint(path: String, unknown: String, known: [String], formID: String) -> String {
        guard let closest = closest(to: unknown, in: known) else {
            let place = path == unknown ? "the testimony" : String(path.dropLast(unknown.count + 1))
            return "\(place) has a field that form \(formID) does not define, close to none of its fields"
        }
        return "\(path): not a field of form \(formID); did you mean \(closest)?"
    }

    /// The known name nearest to `name` (optimal string alignment distance: insertions, deletions, substitutions
    /// and swaps of neighbours), if it is near enough to be a typo: at most a third of the name's length, and 1
    /// for short names.
    static func closest(to name: String, in known: [String]) -> String? {
        let limit = max(1, name.count / 3)
        let ranked = known.map { ($0, distance(Array(name.lowercased()), Array($0.lowercased()))) }
            .filter { $0.1 <= limit }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return ranked.first?.0
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}

import AmanatArchive
import AmanatForms
import ArgumentParser

/// `--sections identity,testimony`, shared by open and rewrap.
struct SectionsOption: ParsableArguments {
    @Option(help: "The sealed sections to open: identity, testimony, or both separated by a comma.")
    var sections: String = "identity,testimony"

    /// The sections named, in storage order.
    var requested: [Section] {
        Section.sealed.filter { sections.split(separator: ",").contains(Substring($0.rawValue)) }
    }

    func validate() throws {
        guard !requested.isEmpty,
            sections.split(separator: ",").allSatisfy({ ["identity", "testimony"].contains($0) })
        else { throw ValidationError("--sections takes identity, testimony or identity,testimony") }
    }
}

/// Opens a database copy read-only, or exits with its error.
func openReader(_ path: String) -> RecordReader {
    do {
        return try RecordReader(path: path)
    } catch {
        fail(error.description)
    }
}

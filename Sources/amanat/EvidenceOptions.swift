import ArgumentParser

/// The options of `amanat submit` and `amanat attach` that concern evidence files.
struct EvidenceOptions: ParsableArguments {
    @Option(name: .customLong("attach"), help: ArgumentHelp(
        "Send this file with the testimony, encrypted on this machine (repeat for more files). amanatd checks the "
            + "testimony before any file is sent.", valueName: "file"
    ))
    var attach: [String] = []

    @Option(name: .customLong("sealed-to"), help: ArgumentHelp(
        "Seal the files' keys and names to the recipients of this section: identity or testimony (default: what the "
            + "form says, else identity).", valueName: "section"
    ))
    var sealedTo: String?

    func check() throws {
        try Self.check(files: attach, sealedTo: sealedTo)
    }

    /// The checks `submit --attach` and `attach` share.
    static func check(files: [String], sealedTo: String?) throws {
        if let sealedTo, sealedTo != "identity" && sealedTo != "testimony" {
            throw ValidationError("--sealed-to must be identity or testimony")
        }
    }
}

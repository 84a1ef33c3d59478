import AmanatCrypto
import AmanatKeys
import AmanatFormat
import AmanatPartialFiles
import ArgumentParser
import Glibc

@main
struct KeyHolder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amanat-keyholder",
        abstract: "Offline key holder for Amanat: make keys and open database copies. Never touches the network.",
        discussion: """
            Exit codes: 0 success; 1 error; 3 wrong passphrase; 4 key file refused (permissions or format);
            5 some records could not be opened with the given keys; 6 tampered records found; 7 an archive failed \
            verification (its ledger is inconsistent); 64 usage error.
            """,
        version: AmanatVersion.text,
        subcommands: [
            Init.self, PublicKey.self, Signer.self, Verify.self, Open.self, Rewrap.self, Passwd.self, Split.self,
            Combine.self,
        ]
    )

    /// ArgumentParser's own entry point, except that an error leaving a command removes the files it was writing
    /// (``OutputSink``), as ``fail(_:code:)`` does: a partial `open --out` would hold decrypted testimonies.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            PartialFiles.removeAll()
            exit(withError: error)
        }
    }
}

/// Stable exit codes, documented in the README.
enum Exit {
    static let failure: Int32 = 1
    static let wrongPassphrase: Int32 = 3
    static let keyFileRefused: Int32 = 4
    static let unopened: Int32 = 5
    static let tampered: Int32 = 6
    static let inconsistent: Int32 = 7
}

/// Prints `amanat-keyholder: error: …`, removes the output files not yet complete (``OutputSink``) and exits
/// with `code`.
func fail(_ message: String, code: Int32 = Exit.failure) -> Never {
    PartialFiles.removeAll()
    printError("error: \(message)")
    exit(code)
}

func warn(_ message: String) {
    printError("warning: \(message)")
}

func note(_ message: String) {
    printError(message)
}

/// One line on standard error, written straight to the descriptor (the C `stderr` global is not
/// concurrency-safe).
func printError(_ message: String) {
    let bytes = Array("amanat-keyholder: \(message)\n".utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
}

func exitStatus(for error: KeyFileError) -> Int32 {
    switch error.kind {
    case .wrongPassphrase: Exit.wrongPassphrase
    case .permissionsTooOpen, .badFormat, .unsupportedVersion, .unacceptableParameters, .publicKeyMismatch, .corrupt:
        Exit.keyFileRefused
    default: Exit.failure
    }
}

func initialiseSodium() {
    do {
        try Sodium.initialise()
    } catch {
        fail("\(error)")
    }
}

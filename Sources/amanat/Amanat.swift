import AmanatProtocol
import AmanatClient
import AmanatFormat
import AmanatJSON
import ArgumentParser
import Glibc

@main
struct Amanat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amanat",
        abstract: "Amanat client: submit testimonies to amanatd and query it.",
        discussion: """
            The socket is --socket, else $AMANAT_SOCKET, else /run/amanat/amanatd.sock.
            Exit codes: 0 success; 1 error; 2 no answer from amanatd (not running, no permission, connection lost \
            or timed out: nothing was acknowledged); 3 amanatd refused the request (4xx); 4 amanatd failed (5xx); \
            64 usage error; 130 the guided intake was cancelled (nothing sent).
            """,
        version: AmanatVersion.text,
        subcommands: [
            Submit.self, Withdraw.self, ReceiptCommand.self, SigningKeyCommand.self, Health.self, Forms.self, Export.self,
            ImportRewrap.self, Slip.self, DialStdio.self, Attach.self, Addendum.self,
        ]
    )

    // Declared here as well so that `amanat --socket PATH submit FILE` parses: ArgumentParser hands the
    // values to each subcommand's own group.
    @OptionGroup var options: GlobalOptions
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(help: "amanatd's Unix socket (on the intake host, with --host).") var socket: String?
    @Option(help: ArgumentHelp(
        "Reach amanatd on another host: ssh://[user@]host[:port], through ssh and `amanat dial-stdio` there.",
        discussion: "Also $AMANAT_HOST. ssh uses your own config and keys; $AMANAT_SSH replaces the ssh command."
    ))
    var host: String?
    @Flag(help: "Print amanatd's JSON answer instead of a summary.") var json = false

    /// The intake host, when amanatd is reached through ssh (`--host`, else `$AMANAT_HOST`).
    var remote: SSHDestination? {
        let text = host ?? environment("AMANAT_HOST")
        guard let text, !text.isEmpty else { return nil }
        guard let destination = SSHDestination(url: text, remoteSocket: socket) else {
            fail("--host takes ssh://[user@]host[:port], not \"\(text)\"", code: 64)
        }
        return destination
    }

    var socketPath: String {
        if let socket { return socket }
        if let fromEnvironment = getenv("AMANAT_SOCKET"), fromEnvironment.pointee != 0 {
            return String(cString: fromEnvironment)
        }
        return "/run/amanat/amanatd.sock"
    }

    var client: UnixHTTPClient {
        UnixHTTPClient(
            socketPath: socketPath, timeoutSeconds: timeoutSeconds,
            tunnel: remote?.commandLine(sshCommand: environment("AMANAT_SSH"))
        )
    }

    /// An import of every record's envelopes can take far longer than a submission.
    var timeoutSeconds = 60
}

/// An environment variable, nil when unset.
func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// Stable exit codes, documented in the README.
enum Exit {
    static let failure: Int32 = 1
    static let unreachable: Int32 = 2
    static let refused: Int32 = 3
    static let serverFailed: Int32 = 4
}

func fail(_ message: String, code: Int32 = Exit.failure, hint: String? = nil) -> Never {
    printError("error: \(message)")
    if let hint { printError("hint: \(hint)") }
    exit(code)
}

/// One line on standard error, written straight to the descriptor (the C `stderr` global is not
/// concurrency-safe). On a terminal the line is wrapped at word boundaries to its width (80 columns at most).
func printError(_ message: String) {
    // Problem details and names come from amanatd: no control character of theirs reaches the terminal.
    var text = "amanat: \(IntakeTerminal.printable(message))"
    if let width = terminalWidth(STDERR_FILENO) {
        text = IntakeTerminal.wrap(text, width: width).joined(separator: "\n")
    }
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
}

/// The columns to wrap text at on the terminal `fd`: 80, or fewer when it is narrower; nil when `fd` is no
/// terminal (a log or a script reads one line per message).
func terminalWidth(_ fd: Int32) -> Int? {
    guard isatty(fd) == 1 else { return nil }
    var size = winsize()
    guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 else { return 80 }
    return min(Int(size.ws_col), 80)
}

/// Sends a request; on a transport failure or a problem answer prints the error and exits.
func perform(
    _ options: GlobalOptions, _ method: String, _ path: String, body: [UInt8]? = nil,
    contentType: String = "application/json", language: IntakeLanguage = .fromEnvironment()
) -> HTTPResponse {
    let isSubmission = path == Endpoint.testimonies
    let response: HTTPResponse
    do {
        response = try options.client.request(method: method, path: path, body: body, contentType: contentType)
    } catch {
        if error.kind == .connectionLost || error.kind == .timedOut {
            // The request may have arrived; only an answer acknowledges it.
            let hint = isSubmission
                ? "no answer came back: it is unknown whether the testimony was stored; if you submit it again, tell the case workers it may be a duplicate"
                : nil
            fail(error.description, code: Exit.unreachable, hint: hint)
        }
        fail(error.description, code: error.isConnectionFailure ? Exit.unreachable : Exit.failure)
    }
    var hint: String?
    if isSubmission, let body, response.problem?.type == Problem.typePrefix + "unknown-field" {
        hint = unknownFieldHint(options, body: body)
    }
    failOnRefusal(options, response, hint: hint, language: language)
    return response
}

/// Prints amanatd's problem in `language` (``UI/refusal(_:)``) and exits unless `response` is a success. `hint`,
/// when given, replaces the one the problem's field would give.
func failOnRefusal(
    _ options: GlobalOptions, _ response: HTTPResponse, hint: String? = nil,
    language: IntakeLanguage = .fromEnvironment()
) {
    guard !(200..<300).contains(response.status) else { return }
    if options.json { printBody(response.body) }
    let hint = hint ?? response.problem?.field.map { UI.checkField($0)(language) }
    fail(UI.refusal(response)(language), code: response.status >= 500 ? Exit.serverFailed : Exit.refused, hint: hint)
}

/// The names in a refused testimony that its form does not define, with the closest ones (``FieldHint``), read
/// from the form amanatd serves; nil when the form cannot be had.
func unknownFieldHint(_ options: GlobalOptions, body: [UInt8]) -> String? {
    guard let submission = try? JSONParser(maxDepth: 64).parse(body), case .object(let members) = submission,
        let formID = members["form"]?.stringValue,
        formID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") }),
        let response = try? options.client.request(method: "GET", path: Endpoint.form(formID)),
        response.status == 200, let form = try? JSONParser(maxDepth: 64).parse(response.body)
    else { return nil }
    return FieldHint.unknownFields(body: submission, form: form)
}

/// A line on standard output of text that came from amanatd, its control characters neutralised
/// (``IntakeTerminal/printable(_:)``), so that no answer can move the cursor or reprogram the terminal.
func printSafely(_ line: String) {
    // Tabs stay: `forms` separates its columns with them.
    print(line.split(separator: "\t", omittingEmptySubsequences: false).map { IntakeTerminal.printable(String($0)) }
        .joined(separator: "\t"))
}

func printBody(_ body: [UInt8]) {
    var bytes = body
    if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
    _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress!, $0.count) }
}

func parseJSON(_ body: [UInt8]) -> JSONValue {
    guard let value = try? JSONParser(maxDepth: 64).parse(body) else { fail("malformed answer from amanatd") }
    return value
}

import CAmanatLinux
import Glibc

/// The volunteer's terminal, read and written directly: no readline, no history, no temp files.
///
/// The terminal stays in canonical mode, so the kernel's line discipline does the line editing (backspace, Ctrl-U,
/// with `IUTF8` so that backspace removes a whole character). SIGINT is blocked and read from a signalfd, so a
/// Ctrl-C arrives as an ordinary event between lines rather than interrupting the program anywhere.
final class IntakeTerminal {
    /// What reading a line produced.
    enum Input {
        case line(String)
        /// Ctrl-D on an empty line, or the terminal went away.
        case endOfFile
        /// Ctrl-C.
        case interrupt
        /// Bytes that are not UTF-8.
        case invalidText
    }

    /// The most columns any line of output takes: 80, or fewer when the terminal is narrower (large fonts).
    private(set) var width = 80
    /// The terminal's rows, 0 when unknown: the review is paged to fit (a 24-line terminal shows 24 lines).
    private(set) var height = 0
    /// Canonical-mode lines are cut at this many bytes by Linux (`N_TTY_BUF_SIZE` less the newline).
    static let canonicalLineLimit = 4095

    private let fd: Int32
    private let ownsDescriptor: Bool
    private var saved = termios()
    private var restoreOnClose = false
    private let signalDescriptor: Int32
    private var pending: [UInt8] = []
    private var hitEndOfFile = false
    /// Set when the last line read was as long as the kernel lets a canonical line be.
    private(set) var lastLineMayBeCut = false

    /// Opens the controlling terminal (or standard input when that is a terminal and there is no controlling one).
    init() throws(IntakeTerminalError) {
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        if tty >= 0 {
            fd = tty
            ownsDescriptor = true
        } else if isatty(STDIN_FILENO) == 1 {
            fd = STDIN_FILENO
            ownsDescriptor = false
        } else {
            throw IntakeTerminalError("the guided intake needs a terminal")
        }
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        signalDescriptor = signalfd(-1, &mask, Int32(SFD_CLOEXEC))
        guard signalDescriptor >= 0 else {
            if ownsDescriptor { Glibc.close(fd) }
            throw IntakeTerminalError("cannot watch for Ctrl-C (signalfd failed)")
        }
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col >= 20 && size.ws_col < 80 {
            width = Int(size.ws_col)
        }
        if size.ws_row >= 8 { height = Int(size.ws_row) }
        if tcgetattr(fd, &saved) == 0 {
            var settings = saved
            // Canonical input with echo, signals from Ctrl-C, CR read as NL, and UTF-8-aware erase.
            settings.c_lflag |= tcflag_t(ICANON | ECHO | ECHOE | ECHOK | ISIG)
            settings.c_iflag |= tcflag_t(ICRNL | IUTF8)
            settings.c_iflag &= ~tcflag_t(INLCR | IGNCR)
            settings.c_oflag |= tcflag_t(OPOST | ONLCR)
            restoreOnClose = tcsetattr(fd, TCSANOW, &settings) == 0
        }
    }

    /// Puts the terminal back as it was and wipes what is still buffered.
    func close() {
        wipe(&pending)
        if restoreOnClose { tcsetattr(fd, TCSANOW, &saved) }
        restoreOnClose = false
        if ownsDescriptor { Glibc.close(fd) }
        Glibc.close(signalDescriptor)
    }

    /// Writes `text` as it stands (after making control characters harmless).
    func write(_ text: String) {
        var bytes = Array(Self.printable(text).utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            offset += n
        }
        wipe(&bytes)
    }

    /// Clears the screen and, where the terminal supports it (xterm's `ESC [ 3 J`), its scrollback, so that the
    /// answers shown for review do not stay readable above the prompt, or in a terminal's saved history.
    func wipeScreen() {
        let sequence = Array("\u{1B}[H\u{1B}[2J\u{1B}[3J".utf8)
        _ = sequence.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
    }

    /// Writes `text` wrapped to the terminal width, each line starting with `indent`.
    func say(_ text: String, indent: String = "") {
        write(Self.wrap(text, width: width, indent: indent).joined(separator: "\n") + "\n")
    }

    /// Whether input is already waiting, read or not: what a paste of several lines leaves after its first.
    func moreInputWaiting() -> Bool {
        if !pending.isEmpty { return true }
        var watched = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&watched, 1, 0) == 1 && watched.revents & Int16(POLLIN) != 0
    }

    /// Reads one line (without its newline). Blocks until a line, Ctrl-D, or Ctrl-C arrives.
    func readLine() -> Input {
        lastLineMayBeCut = false
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { wipe(&chunk) }
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                var line = Array(pending[..<newline])
                wipe(&pending, upTo: newline + 1)
                pending.removeFirst(newline + 1)
                lastLineMayBeCut = line.count >= Self.canonicalLineLimit
                // The kernel cuts bytes, not characters: drop a character it cut in half.
                if lastLineMayBeCut { line.removeLast(Self.incompleteUTF8Suffix(line)) }
                defer { wipe(&line) }
                guard let text = String(validating: line, as: UTF8.self) else { return .invalidText }
                return .line(text)
            }
            if hitEndOfFile {
                hitEndOfFile = false
                return .endOfFile
            }
            var watched = [
                pollfd(fd: signalDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&watched, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return .endOfFile
            }
            if watched[0].revents & Int16(POLLIN) != 0 {
                var info = signalfd_siginfo()
                _ = withUnsafeMutableBytes(of: &info) { read(signalDescriptor, $0.baseAddress!, $0.count) }
                // The line discipline flushed the typed-ahead input; drop ours too.
                wipe(&pending)
                pending.removeAll()
                return .interrupt
            }
            guard watched[1].revents != 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n > 0 {
                pending += chunk[0..<n]
                continue
            }
            // Ctrl-D: on an empty line it is end of file; after some characters it ends the line without a
            // newline, which counts as a line.
            if pending.isEmpty { return .endOfFile }
            pending.append(0x0A)
            hitEndOfFile = n < 0
        }
    }

    /// How many bytes at the end of `bytes` are an incomplete UTF-8 sequence (0 when the last sequence is whole).
    static func incompleteUTF8Suffix(_ bytes: [UInt8]) -> Int {
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            guard byte & 0xC0 == 0x80 else {
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return length > back ? back : 0
            }
        }
        return 0
    }

    /// Overwrites the bytes of `buffer` (all, or the first `count`) with zeros. Best effort: Swift may have
    /// copied them before.
    private func wipe(_ buffer: inout [UInt8], upTo count: Int? = nil) {
        let end = min(count ?? buffer.count, buffer.count)
        buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress, end > 0 else { return }
            memset(base, 0, end)
        }
    }

    /// No core dumps: they would put the answers on disk.
    static func forbidCoreDumps() {
        var limit = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(Int32(RLIMIT_CORE.rawValue), &limit)
        _ = amanat_set_dumpable(0)
    }

    // MARK: Text layout

    /// `text` with C0 and C1 control characters other than line feed shown as U+FFFD and tabs as a space, so that
    /// neither a form nor an answer can move the cursor or change the terminal's state.
    static func printable(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: scalars.append(scalar)
            case 0x09: scalars.append(" ")
            case 0..<0x20, 0x7F...0x9F: scalars.append("\u{FFFD}")
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// How many columns `scalar` takes in a terminal: 0 for combining and format characters, 2 for East Asian wide
    /// and full-width characters, else 1.
    static func columns(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    static func columns(_ text: Substring) -> Int {
        text.unicodeScalars.reduce(0) { $0 + columns($1) }
    }

    /// Splits `text` into lines of at most `width` columns, each prefixed with `indent`. Breaks at spaces; a word
    /// wider than a line is broken between characters. Line feeds in `text` are kept.
    static func wrap(_ text: String, width: Int, indent: String = "") -> [String] {
        let available = max(width - columns(Substring(indent)), 10)
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                let wordWidth = columns(word)
                if lineWidth > 0 && lineWidth + 1 + wordWidth <= available {
                    line += " " + word
                    lineWidth += 1 + wordWidth
                    continue
                }
                if lineWidth > 0 {
                    lines.append(indent + line)
                    line = ""
                    lineWidth = 0
                }
                if wordWidth <= available {
                    line = String(word)
                    lineWidth = wordWidth
                    continue
                }
                for character in word {
                    let characterWidth = character.unicodeScalars.reduce(0) { $0 + columns($1) }
                    if lineWidth + characterWidth > available && lineWidth > 0 {
                        lines.append(indent + line)
                        line = ""
                        lineWidth = 0
                    }
                    line.append(character)
                    lineWidth += characterWidth
                }
            }
            lines.append(line.isEmpty ? "" : indent + line)
        }
        return lines
    }
}

/// The terminal could not be set up; the message names no content.
struct IntakeTerminalError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

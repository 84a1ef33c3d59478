public import AmanatCrypto
import Glibc

/// Reading passphrases straight into protected memory: from a file, or from the terminal with echo off.
public enum Passphrase {
    /// The longest passphrase accepted.
    public static let maximumLength = 1024

    /// Why no passphrase could be read.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A one-line explanation.
        public let description: String
        /// What to do about it, when there is something to say.
        public internal(set) var hint: String? = nil
    }

    /// The first line of the file at `path`, without its line ending.
    public static func read(file path: String) throws(Failure) -> SecretBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot read passphrase file \(path): \(errnoText())") }
        defer { close(fd) }
        return try readLine(fd: fd, echoOffTerminal: false)
    }

    /// Asks on the controlling terminal with echo off. With `confirm`, asks twice and requires a match.
    public static func prompt(_ text: String, confirm: Bool) throws(Failure) -> SecretBytes {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            throw Failure(description: "no terminal to ask for the passphrase; use --passphrase-file")
        }
        defer { close(fd) }
        let first = try ask(text, fd: fd)
        guard confirm else { return first }
        let second = try ask("repeat the passphrase: ", fd: fd)
        guard first == second else { throw Failure(description: "the passphrases do not match") }
        guard first.count > 0 else { throw Failure(description: "the passphrase is empty") }
        return first
    }

    static func ask(_ text: String, fd: Int32) throws(Failure) -> SecretBytes {
        // Echo goes off before the prompt shows: whoever answers the prompt at once (a person typing ahead, a test
        // driving the terminal) would otherwise have the answer echoed, then thrown away by TCSAFLUSH.
        var saved = termios()
        let isTerminal = tcgetattr(fd, &saved) == 0
        if isTerminal {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            silent.c_lflag |= tcflag_t(ICANON)
            _ = tcsetattr(fd, TCSAFLUSH, &silent)
        }
        writeAll(fd, text)
        defer {
            if isTerminal { _ = tcsetattr(fd, TCSAFLUSH, &saved) }
            writeAll(fd, "\n")
        }
        return try readLine(fd: fd, echoOffTerminal: isTerminal)
    }

    /// Reads up to the first newline, byte by byte, so nothing past it is buffered in ordinary memory.
    private static func readLine(fd: Int32, echoOffTerminal: Bool) throws(Failure) -> SecretBytes {
        let buffer: SecretBytes
        do {
            // Room for the longest passphrase, a CR and one byte more, to tell "too long" from "CR LF".
            buffer = try SecretBytes(count: maximumLength + 2)
        } catch {
            throw Failure(description: "\(error)")
        }
        var length = 0
        let outcome: Int = buffer.withUnsafeMutableBytes { bytes in
            var ended = false
            while length < bytes.count {
                let n = Glibc.read(fd, bytes.baseAddress! + length, 1)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return -1 }
                if n == 0 || bytes[length] == UInt8(ascii: "\n") {
                    ended = true
                    break
                }
                length += 1
            }
            if length > 0 && bytes[length - 1] == UInt8(ascii: "\r") { length -= 1 }
            return !ended || length > maximumLength ? -2 : 0
        }
        switch outcome {
        case -1: throw Failure(description: "cannot read the passphrase: \(errnoText())")
        case -2: throw Failure(description: "the passphrase is longer than \(maximumLength) bytes")
        default: break
        }
        do {
            let passphrase = try buffer.slice(0..<length)
            buffer.wipe()
            return passphrase
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    static func writeAll(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

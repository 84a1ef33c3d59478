public import AmanatCrypto
import Glibc

extension Passphrase {
    /// How a new passphrase is chosen.
    public enum Choice: Sendable, Equatable {
        /// Read from the first line of a file; refused if too weak.
        case file(String)
        /// Asked on the terminal, with a generated one offered; a weak one is explained and asked again.
        case prompt(String)
        /// Generated, shown once on the terminal, then typed back.
        case generate
    }

    /// Attempts at a prompt before giving up, so that a script feeding the terminal cannot loop for ever.
    static let attempts = 3

    /// A new passphrase for a key file sealed with `parameters`: from a file, asked for, or generated (see
    /// ``Choice``). Every passphrase is estimated (``PassphraseStrength``) and a weak one is refused with the
    /// estimate and what it means against `parameters`.
    public static func choose(
        _ choice: Choice, parameters: Argon2idParameters = .moderate
    ) throws(Failure) -> SecretBytes {
        switch choice {
        case .file(let path):
            let passphrase = try read(file: path)
            guard passphrase.count > 0 else { throw Failure(description: "the passphrase is empty") }
            let strength = try estimate(passphrase)
            guard strength.isStrongEnough else {
                passphrase.wipe()
                throw Failure(description: "passphrase too weak, \(strength.summary)",
                              hint: "\(strength.meaning(for: parameters)). \(generateHint)")
            }
            return passphrase
        case .prompt(let text):
            return try onTerminal { fd throws(Failure) in try ask(text, fd: fd, parameters: parameters) }
        case .generate:
            return try onTerminal { fd throws(Failure) in try generate(fd: fd) }
        }
    }

    private static let generateHint =
        "--generate-passphrase (or Enter alone at the prompt) makes one of \(GeneratedPassphrase.wordCount) random "
        + "words (\(Int(GeneratedPassphrase.bits)) bits); a phrase of your own needs more uncommon words"

    private static func estimate(_ passphrase: SecretBytes) throws(Failure) -> PassphraseStrength {
        do {
            return try PassphraseStrength.estimate(passphrase)
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    private static func onTerminal(_ body: (Int32) throws(Failure) -> SecretBytes) throws(Failure) -> SecretBytes {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            throw Failure(description: "no terminal to ask for the passphrase; use --passphrase-file")
        }
        defer { close(fd) }
        return try body(fd)
    }

    /// Asks until a strong enough passphrase is typed twice alike, or Enter alone asks for a generated one.
    private static func ask(_ text: String, fd: Int32, parameters: Argon2idParameters) throws(Failure) -> SecretBytes {
        for attempt in 1...attempts {
            let first = try ask(
                "\(text)(Enter alone for \(GeneratedPassphrase.wordCount) random words): ", fd: fd
            )
            if first.count == 0 { return try generate(fd: fd) }
            let strength = try estimate(first)
            guard strength.isStrongEnough else {
                first.wipe()
                let width = terminalWidth(fd)
                writeAll(fd, wrap("passphrase too weak, \(strength.summary)", width: width) + "\n")
                let meaning = strength.meaning(for: parameters)
                writeAll(fd, wrap(meaning.prefix(1).uppercased() + meaning.dropFirst() + ".", width: width) + "\n")
                if attempt < attempts { writeAll(fd, "try a longer one, or press Enter alone for random words\n") }
                continue
            }
            let second = try ask("repeat the passphrase: ", fd: fd)
            guard first == second else { throw Failure(description: "the passphrases do not match") }
            return first
        }
        throw Failure(description: "\(attempts) passphrases were too weak; nothing was written")
    }

    /// Shows a generated passphrase once, clears the screen when it has been written down, and has it typed back.
    private static func generate(fd: Int32) throws(Failure) -> SecretBytes {
        let phrase: SecretBytes
        do {
            phrase = try GeneratedPassphrase.make()
        } catch {
            throw Failure(description: "\(error)")
        }
        writeAll(fd, "\nyour new passphrase, \(GeneratedPassphrase.wordCount) random words (about "
                 + "\(Int(GeneratedPassphrase.bits)) bits). It is shown only this once: write it down now.\n\n    ")
        // Straight from protected memory to the terminal.
        phrase.withUnsafeBytes { bytes in _ = Glibc.write(fd, bytes.baseAddress!, bytes.count) }
        writeAll(fd, "\n\n")
        let acknowledged = try ask("press Enter when it is written down: ", fd: fd)
        acknowledged.wipe()
        // Home, clear the screen and, where the terminal keeps one, its scrollback.
        writeAll(fd, "\u{1B}[H\u{1B}[2J\u{1B}[3J")
        for attempt in 1...attempts {
            let typed = try ask("type the passphrase back, to check what was written down: ", fd: fd)
            if typed == phrase { return phrase }
            typed.wipe()
            if attempt < attempts {
                writeAll(fd, "that is not it; check the words and the single spaces between them\n")
            }
        }
        phrase.wipe()
        throw Failure(description: "the passphrase was not typed back; nothing was written, and it is not kept")
    }

    /// The terminal's width, at most 100 columns (longer lines are hard to read), 80 when it does not say.
    private static func terminalWidth(_ fd: Int32) -> Int {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return min(Int(size.ws_col), 100)
    }

    /// Breaks `text` at spaces into lines of at most `width` columns, for the terminal.
    static func wrap(_ text: String, width: Int) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}

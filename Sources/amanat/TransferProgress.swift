import Glibc

/// `sending scan.jpg [#####.....] 12.0 MiB / 300.0 MiB  45.2 MiB/s  0:07 left` on standard error while files are
/// sent, when standard error is a terminal and the sending has taken more than a second; nothing otherwise, so that
/// logs and pipes see only the messages.
final class TransferProgress {
    private let total: UInt64
    private let enabled: Bool
    private let language: IntakeLanguage
    private let started = TransferProgress.seconds()
    /// Stored bytes of the files already sent.
    private var finished: UInt64 = 0
    /// Stored bytes of the current file that amanatd holds or that are on their way.
    private var current: UInt64 = 0
    /// Every byte written to the socket in this process, resends included: what the rate is.
    private var sent: UInt64 = 0
    private var name = ""
    private var shown = false
    private var lastDraw: Double = -1

    /// A bar for `total` stored bytes, drawn only on a `terminal`.
    init(total: UInt64, terminal: Bool, language: IntakeLanguage) {
        self.total = total
        enabled = terminal && total > 0
        self.language = language
    }

    /// A bar on standard error when it is a terminal.
    convenience init(total: UInt64, language: IntakeLanguage) {
        self.init(total: total, terminal: isatty(STDERR_FILENO) == 1, language: language)
    }

    /// The next file, named `name`, starts.
    func begin(_ name: String) {
        self.name = name
        current = 0
    }

    /// The current file is at stored offset `offset` (it goes back after a resume); `count` bytes were just sent.
    func update(offset: UInt64, sent count: UInt64) {
        current = offset
        sent += count
        redraw(force: false)
    }

    /// The current file is sent whole.
    func completeFile(storedSize: UInt64) {
        finished += storedSize
        current = 0
        redraw(force: true)
    }

    /// Clears the bar, runs `body` (which prints a message), and draws the bar again under it.
    func interrupt(_ body: () -> Void) {
        let wasShown = shown
        clear()
        body()
        if wasShown { draw() }
    }

    /// Clears the bar for good.
    func finish() {
        clear()
    }

    /// The bar's text.
    static func text(
        label: String, done: UInt64, total: UInt64, seconds: Double, sent: UInt64, language: IntakeLanguage,
        width: Int = 20
    ) -> String {
        let filled = total > 0 ? Int(min(UInt64(width), done * UInt64(width) / total)) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var text = "\(label) [\(bar)] \(ByteCount.text(done)) / \(ByteCount.text(total))"
        guard seconds > 0, sent > 0 else { return text }
        let rate = Double(sent) / seconds
        text += "  \(ByteCount.text(UInt64(rate)))/s"
        let left = Int((Double(total - min(done, total)) / rate).rounded(.up))
        text += "  \(left / 60):" + (left % 60 < 10 ? "0" : "") + "\(left % 60) \(UI.timeLeft(language))"
        return text
    }

    private func redraw(force: Bool) {
        guard enabled else { return }
        let now = Self.seconds()
        // Nothing for a quick send; then at most ten times a second.
        guard now - started >= 1, force || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        draw()
    }

    private func draw() {
        let label = IntakeTerminal.printable(UI.sendingFile(name)(language))
        let line = Self.text(
            label: label, done: finished + current, total: total, seconds: Self.seconds() - started, sent: sent,
            language: language
        )
        emit("\r\u{1B}[K" + line)
        shown = true
    }

    private func clear() {
        guard shown else { return }
        emit("\r\u{1B}[K")
        shown = false
    }

    private func emit(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
    }

    private static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// Sizes for people: `812 B`, `12.0 KiB`, `300.0 MiB`, `4.0 GiB`.
enum ByteCount {
    static func text(_ count: UInt64) -> String {
        guard count >= 1024 else { return "\(count) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}

import AmanatStatusLine
import Glibc

/// `sending scan.jpg [#####.....] 12.0 MiB / 300.0 MiB  45.2 MiB/s  0:07 left` on standard error while files are
/// sent, when standard error is a terminal and the sending has taken more than a second; nothing otherwise, so that
/// logs and pipes see only the messages.
final class TransferProgress {
    private let total: UInt64
    private let line: StatusLine
    private let language: IntakeLanguage
    private let started = StatusLine.seconds()
    /// Stored bytes of the files already sent.
    private var finished: UInt64 = 0
    /// Stored bytes of the current file that amanatd holds or that are on their way.
    private var current: UInt64 = 0
    /// Every byte written to the socket in this process, resends included: what the rate is.
    private var sent: UInt64 = 0
    private var name = ""

    /// A bar for `total` stored bytes, drawn only on a `terminal`.
    init(total: UInt64, terminal: Bool, language: IntakeLanguage) {
        self.total = total
        line = StatusLine(enabled: terminal && total > 0)
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
        line.interrupt(body)
    }

    /// Clears the bar for good.
    func finish() {
        line.finish()
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
        // Nothing for a quick send.
        guard StatusLine.seconds() - started >= 1 else { return }
        line.show({
            Self.text(
                label: IntakeTerminal.printable(UI.sendingFile(name)(language)), done: finished + current, total: total,
                seconds: StatusLine.seconds() - started, sent: sent, language: language
            )
        }, force: force)
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

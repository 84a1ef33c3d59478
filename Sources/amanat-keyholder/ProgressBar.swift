import Glibc

/// `opening records [#####.....] 12/40` on standard error while records are opened, when standard error is a
/// terminal (and the records do not go to it too); nothing otherwise, so that logs and pipes see only the
/// messages.
final class ProgressBar {
    private let total: Int
    private let enabled: Bool
    private var done = 0
    private var shown = false
    private var lastDraw: Double = -1

    /// A bar for `total` records, drawn only on a `terminal` and when `total` is above 0.
    init(total: Int, terminal: Bool) {
        self.total = total
        enabled = terminal && total > 0
    }

    /// One more record done. Redraws at most ten times a second, and always for the last.
    func advance() {
        done += 1
        guard enabled else { return }
        let now = Self.seconds()
        guard done == total || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        draw()
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

    /// The bar's text for `done` of `total`, `width` cells wide.
    static func text(done: Int, total: Int, width: Int = 30) -> String {
        let filled = total > 0 ? min(width, done * width / total) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "opening records [\(bar)] \(done)/\(total)"
    }

    private func draw() {
        emit("\r\u{1B}[K" + Self.text(done: done, total: total))
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

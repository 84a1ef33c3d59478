import Glibc

/// One line of status on standard error, redrawn in place (`\r`, erase to the end of the line): the progress bars of
/// `amanat` (files sent) and `amanat-keyholder` (records opened). Disabled, it draws nothing, so that logs and pipes
/// see only the messages.
public final class StatusLine {
    /// Whether anything is drawn (standard error is a terminal, and the caller wants a bar).
    public let enabled: Bool
    private var text = ""
    private var shown = false
    private var lastDraw: Double = -1

    /// A line drawn only when `enabled`.
    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Draws `text()`, at most ten times a second unless `force` (the last state should always be seen).
    public func show(_ text: () -> String, force: Bool = false) {
        guard enabled else { return }
        let now = Self.seconds()
        guard force || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        self.text = text()
        draw()
    }

    /// Clears the line, runs `body` (which prints a message), and draws the line again under it.
    public func interrupt(_ body: () -> Void) {
        let wasShown = shown
        clear()
        body()
        if wasShown { draw() }
    }

    /// Clears the line for good.
    public func finish() {
        clear()
    }

    /// Seconds on the monotonic clock.
    public static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private func draw() {
        emit("\r\u{1B}[K" + text)
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
}

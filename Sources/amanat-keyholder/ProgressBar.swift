import AmanatStatusLine

/// `opening records [#####.....] 12/40` on standard error while records are opened, when standard error is a
/// terminal (and the records do not go to it too); nothing otherwise, so that logs and pipes see only the
/// messages.
final class ProgressBar {
    private let total: Int
    private var done = 0
    private let line: StatusLine

    /// A bar for `total` records, drawn only on a `terminal` and when `total` is above 0.
    init(total: Int, terminal: Bool) {
        self.total = total
        line = StatusLine(enabled: terminal && total > 0)
    }

    /// One more record done. Redraws at most ten times a second, and always for the last.
    func advance() {
        done += 1
        line.show({ Self.text(done: done, total: total) }, force: done == total)
    }

    /// Clears the bar, runs `body` (which prints a message), and draws the bar again under it.
    func interrupt(_ body: () -> Void) {
        line.interrupt(body)
    }

    /// Clears the bar, runs `body` (work that may draw a bar of its own, an attachment's extraction, and may
    /// fail), and draws the bar again under it; `body`'s error is thrown after.
    func interrupt(throwing body: () throws -> Void) throws {
        var failure: (any Error)?
        line.interrupt {
            do {
                try body()
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Clears the bar for good.
    func finish() {
        line.finish()
    }

    /// The bar's text for `done` of `total`, `width` cells wide.
    static func text(done: Int, total: Int, width: Int = 30) -> String {
        let filled = total > 0 ? min(width, done * width / total) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "opening records [\(bar)] \(done)/\(total)"
    }
}

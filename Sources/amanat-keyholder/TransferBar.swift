import AmanatStatusLine
import Glibc

/// `extracting ID-2 [#####.....] 512.0 MiB of 1.0 GiB, 180.3 MiB/s, 3 s left` on standard error while one
/// attachment is extracted, when standard error is a terminal and the extraction has taken more than a second
/// (a photo comes out faster than a bar could be read).
final class TransferBar {
    /// Nothing is drawn before this many seconds.
    static let delay = 1.0

    private let total: UInt64
    private let label: String
    private let start: Double
    private let line: StatusLine

    /// A bar for `total` bytes; drawn only when standard error is a terminal (or `terminal` says so).
    init(total: UInt64, label: String, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = total
        self.label = label
        line = StatusLine(enabled: terminal && total > 0)
        start = StatusLine.seconds()
    }

    /// `done` bytes of the total are through. Redraws at most ten times a second, once a second has passed.
    func update(_ done: UInt64) {
        let seconds = StatusLine.seconds() - start
        guard seconds >= Self.delay else { return }
        line.show({ Self.text(label: label, done: done, total: total, seconds: seconds) }, force: done == total)
    }

    /// Clears the bar.
    func finish() {
        line.finish()
    }

    /// The bar's text: bytes done of the total, the rate so far and the time left at that rate.
    static func text(label: String, done: UInt64, total: UInt64, seconds: Double, width: Int = 20) -> String {
        let filled = total > 0 ? Int(min(UInt64(width), done * UInt64(width) / total)) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let left = rate > 0 ? Int((Double(total - min(done, total)) / rate).rounded(.up)) : 0
        return "\(label) [\(bar)] \(bytes(Double(done))) of \(bytes(Double(total))), \(bytes(rate))/s, \(left) s left"
    }

    /// `bytes` in B, KiB, MiB or GiB with one decimal.
    static func bytes(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(Int(value)) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}

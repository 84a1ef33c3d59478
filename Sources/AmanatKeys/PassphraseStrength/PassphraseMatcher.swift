import Glibc

/// zxcvbn's method on one stretch of a passphrase: find every piece an attacker would guess as a unit
/// (``PassphraseMatch``), then the cheapest way to cover the stretch with them and with guessed characters.
///
/// See Wheeler, "zxcvbn: Low-Budget Password Strength Estimation", USENIX Security 2016. This is a smaller
/// version: the same matchers (words in several lists, reversed, l33t and the other keyboard layout; neighbouring
/// keys; sequences; repeats; dates and years) and the same search and scoring, on `PassphraseScalars` views.
struct PassphraseMatcher {
    let views: PassphraseScalars.Views
    /// The year dates are measured from.
    let referenceYear: Int

    /// The longest stretch searched at once. The search grows with the square of the length, so a long passphrase
    /// is cut into stretches whose guesses multiply: an attacker gains nothing from the cuts.
    static let stretch = 100

    /// log10 of the guesses for `first...last`, and the patterns (no guessed stretches) that make it up. A stretch
    /// longer than ``stretch`` that is one piece said again and again (`abab…`) costs that piece's guesses times the
    /// count; any other is cut.
    func estimate(_ first: Int, _ last: Int) -> (log10Guesses: Double, patterns: [PassphraseMatch]) {
        let length = last - first + 1
        if length <= Self.stretch {
            let result = mostGuessable(first, last)
            return (result.log10Guesses, result.sequence.filter { $0.pattern != .bruteforce })
        }
        if let period = smallestPeriod(first, last), period <= length / 2 {
            let unit = estimate(first, first + period - 1)
            let times = (Double(length) / Double(period)).rounded(.up)
            return (unit.log10Guesses + log10(times),
                    [PassphraseMatch(first: first, last: last, log10Guesses: 0, pattern: .repeated)])
        }
        var total = 0.0
        var patterns: [PassphraseMatch] = []
        for start in stride(from: first, through: last, by: Self.stretch) {
            let result = mostGuessable(start, min(last, start + Self.stretch - 1))
            total += result.log10Guesses
            patterns += result.sequence.filter { $0.pattern != .bruteforce }
        }
        return (total, patterns)
    }

    /// The shortest p such that every scalar (lowercase) equals the one p before it, by Knuth-Morris-Pratt's prefix
    /// function; nil when there is none shorter than the stretch. The table holds lengths, not characters.
    private func smallestPeriod(_ first: Int, _ last: Int) -> Int? {
        let length = last - first + 1
        var border = [Int](repeating: 0, count: length)
        for index in 1..<length {
            var candidate = border[index - 1]
            while candidate > 0 && views[.lower, first + index] != views[.lower, first + candidate] {
                candidate = border[candidate - 1]
            }
            if views[.lower, first + index] == views[.lower, first + candidate] { candidate += 1 }
            border[index] = candidate
        }
        let period = length - border[length - 1]
        return period < length ? period : nil
    }

    /// All matches within `first...last`.
    func matches(_ first: Int, _ last: Int) -> [PassphraseMatch] {
        var found: [PassphraseMatch] = []
        found += words(first, last)
        found += keyboardRuns(first, last)
        found += sequences(first, last)
        found += repeats(first, last)
        found += dates(first, last)
        return found
    }

    /// The reference year: this year, from the clock.
    static var thisYear: Int {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        return Int(parts.tm_year) + 1900
    }
}

/// Binomial coefficients and factorials in floating point, which is all the scoring needs.
enum Combinatorics {
    /// n choose k.
    static func choose(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        var result = 1.0
        for index in 0..<min(k, n - k) {
            result = result * Double(n - index) / Double(index + 1)
        }
        return result
    }

    /// zxcvbn's count of ways to mark `marked` places among `marked + plain` (capitals among letters, shifted keys,
    /// l33t symbols among their letters): 2 when every place is marked, else the sum of choose(all, i) for i up to
    /// the smaller count.
    static func placements(_ marked: Int, among plain: Int) -> Double {
        guard plain > 0 else { return 2 }
        var sum = 0.0
        for count in 1...max(1, min(marked, plain)) { sum += choose(marked + plain, count) }
        return sum
    }

    /// log10 of n!.
    static func log10Factorial(_ n: Int) -> Double {
        lgamma(Double(n) + 1) / log(10)
    }

    /// log10(10^a + 10^b) without overflow.
    static func log10Sum(_ a: Double, _ b: Double) -> Double {
        let high = max(a, b)
        let low = min(a, b)
        return high + log10(1 + pow(10, low - high))
    }
}

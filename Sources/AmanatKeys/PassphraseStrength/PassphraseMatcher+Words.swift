import Glibc

extension PassphraseMatcher {
    /// Dictionary matches: every piece that is a listed word in some view, forwards, and reversed in lowercase.
    func words(_ first: Int, _ last: Int) -> [PassphraseMatch] {
        var found: [PassphraseMatch] = []
        let longest = RankedWords.longest
        let translated: [(PassphraseScalars.View, l33t: Bool, layout: Bool)] = [
            (.lower, false, false), (.l33tI, true, false), (.l33tL, true, false),
            (.latinOfCyrillic, false, true), (.russianOfLatin, false, true), (.kazakhOfLatin, false, true),
        ]
        for (view, l33t, layout) in translated {
            for start in first...last {
                var hash = RankedWords.seed
                var changed = 0
                for end in start...min(last, start + longest - 1) {
                    hash = RankedWords.hash(hash, views[view, end])
                    if views[view, end] != views[.lower, end] { changed += 1 }
                    // A view that changed nothing in this piece would only repeat the lowercase match.
                    guard view == .lower || changed > 0, let entry = RankedWords.entry(hash) else { continue }
                    var log10Guesses = log10(Double(entry.rank)) + log10(uppercaseVariations(start, end))
                    if l33t { log10Guesses += log10(l33tVariations(start, end, view)) }
                    if layout { log10Guesses += log10(2.0) }
                    let pattern = PassphraseMatch.Pattern.word(
                        entry.list, reversed: false, l33t: l33t, otherLayout: layout
                    )
                    found.append(PassphraseMatch(first: start, last: end, log10Guesses: log10Guesses, pattern: pattern))
                    // The word with the separator after it, at no extra cost: whoever joins words tries a handful of
                    // separators once per phrase. Counted as a character of its own, the separator would add ten
                    // guesses and a piece (zxcvbn's l!) per word, and rate four common words as strong.
                    if end < last && Self.wordSeparators.contains(views[.original, end + 1]) {
                        found.append(PassphraseMatch(
                            first: start, last: end + 1, log10Guesses: log10Guesses, pattern: pattern
                        ))
                    }
                }
            }
        }
        // Reversed words, in lowercase only, of three scalars or more (shorter ones are words anyway).
        for end in first...last {
            var hash = RankedWords.seed
            for start in stride(from: end, through: max(first, end - longest + 1), by: -1) {
                hash = RankedWords.hash(hash, views[.lower, start])
                guard end - start >= 2, let entry = RankedWords.entry(hash) else { continue }
                let log10Guesses = log10(Double(entry.rank)) + log10(uppercaseVariations(start, end)) + log10(2.0)
                found.append(PassphraseMatch(
                    first: start, last: end, log10Guesses: log10Guesses,
                    pattern: .word(entry.list, reversed: true, l33t: false, otherLayout: false)
                ))
            }
        }
        return found
    }

    /// What people put between words.
    static let wordSeparators: [UInt32] = [0x20, 0x2D, 0x5F, 0x2E, 0x2C, 0x2F, 0x2B]  // space - _ . , / +

    /// zxcvbn's capitalisation factor: 1 for all lowercase, 2 for a capital first or last letter or all capitals,
    /// otherwise the number of ways to place that many capitals.
    func uppercaseVariations(_ first: Int, _ last: Int) -> Double {
        var upper = 0
        var lower = 0
        for index in first...last {
            let scalar = views[.original, index]
            if ScalarCase.isUpper(scalar) { upper += 1 } else if ScalarCase.isLower(scalar) { lower += 1 }
        }
        if upper == 0 { return 1 }
        if lower == 0 { return 2 }
        let firstUpper = ScalarCase.isUpper(views[.original, first])
        let lastUpper = ScalarCase.isUpper(views[.original, last])
        if upper == 1 && (firstUpper || lastUpper) { return 2 }
        return Combinatorics.placements(upper, among: lower)
    }

    /// zxcvbn's l33t factor: for each substituted symbol, the ways to choose which of the letter's places were
    /// substituted (at least 2).
    func l33tVariations(_ first: Int, _ last: Int, _ view: PassphraseScalars.View) -> Double {
        // Over the fixed list of symbols, so that no set of the passphrase's own characters is built.
        var product = 1.0
        for symbol in L33t.symbols {
            var substituted = 0
            var plain = 0
            var letter: UInt32 = 0
            for index in first...last where views[.lower, index] == symbol && views[view, index] != symbol {
                substituted += 1
                letter = views[view, index]
            }
            guard substituted > 0 else { continue }
            for index in first...last where views[.lower, index] == letter { plain += 1 }
            product *= Combinatorics.placements(substituted, among: plain)
        }
        return product
    }
}

import Glibc

extension PassphraseMatcher {
    /// Runs of three or more neighbouring keys on each layout, as typed (Shift counts).
    func keyboardRuns(_ first: Int, _ last: Int) -> [PassphraseMatch] {
        var found: [PassphraseMatch] = []
        for layout in KeyboardLayout.all {
            var start = first
            while start < last {
                guard let opening = layout.key(of: views[.original, start]) else {
                    start += 1
                    continue
                }
                var end = start
                var turns = 0
                var shifted = opening.shifted ? 1 : 0
                var heading: Int?
                var current = opening.key
                while end < last, let next = layout.key(of: views[.original, end + 1]),
                      let direction = layout.direction(from: current, to: next.key) {
                    if direction != heading {
                        turns += 1
                        heading = direction
                    }
                    if next.shifted { shifted += 1 }
                    current = next.key
                    end += 1
                }
                if end - start + 1 >= 3 {
                    let guesses = Self.keyboardGuesses(
                        length: end - start + 1, turns: turns, shifted: shifted, layout: layout
                    )
                    found.append(PassphraseMatch(
                        first: start, last: end, log10Guesses: log10(guesses), pattern: .keyboard(layout.name)
                    ))
                    start = end
                } else {
                    start += 1
                }
            }
        }
        return found
    }

    /// zxcvbn's count: every run of up to this length with up to this many turns, from any key, times the ways to
    /// place the shifted keys.
    static func keyboardGuesses(length: Int, turns: Int, shifted: Int, layout: KeyboardLayout) -> Double {
        var guesses = 0.0
        let starts = Double(layout.keyCount)
        for runLength in 2...length {
            for turnCount in 1...max(1, min(turns, runLength - 1)) {
                guesses += Combinatorics.choose(runLength - 1, turnCount - 1) * starts
                    * pow(layout.averageDegree, Double(turnCount))
            }
        }
        if shifted > 0 { guesses *= Combinatorics.placements(shifted, among: length - shifted) }
        return guesses
    }
}

import Glibc

extension PassphraseMatcher {
    /// zxcvbn's search: the sequence of matches and guessed stretches covering `first...last` that minimises
    /// l! × (product of the pieces' guesses) + 10000^(l-1), for l pieces; all in log10, so that long passphrases
    /// do not overflow.
    func mostGuessable(_ first: Int, _ last: Int) -> (log10Guesses: Double, sequence: [PassphraseMatch]) {
        let length = last - first + 1
        var ending = [[PassphraseMatch]](repeating: [], count: length)
        for match in matches(first, last) { ending[match.last - first].append(match) }
        // Per end position and number of pieces: the best last piece, the product of guesses, the score.
        var bestMatch = [[Int: PassphraseMatch]](repeating: [:], count: length)
        var bestProduct = [[Int: Double]](repeating: [:], count: length)
        var bestScore = [[Int: Double]](repeating: [:], count: length)

        func consider(_ match: PassphraseMatch, pieces: Int) {
            let end = match.last - first
            var product = guesses(match, within: length)
            if pieces > 1 { product += bestProduct[match.first - first - 1][pieces - 1]! }
            let score = Combinatorics.log10Sum(
                Combinatorics.log10Factorial(pieces) + product, Double(pieces - 1) * log10(10000)
            )
            for (others, otherScore) in bestScore[end] where others <= pieces && otherScore <= score { return }
            bestMatch[end][pieces] = match
            bestProduct[end][pieces] = product
            bestScore[end][pieces] = score
        }

        for end in 0..<length {
            for match in ending[end] {
                if match.first > first {
                    for pieces in bestMatch[match.first - first - 1].keys { consider(match, pieces: pieces + 1) }
                } else {
                    consider(match, pieces: 1)
                }
            }
            consider(bruteforce(first, first + end), pieces: 1)
            if end > 0 {
                for start in 1...end {
                    let guessed = bruteforce(first + start, first + end)
                    for (pieces, previous) in bestMatch[start - 1] where previous.pattern != .bruteforce {
                        consider(guessed, pieces: pieces + 1)
                    }
                }
            }
        }

        let (pieces, score) = bestScore[length - 1].min { $0.value < $1.value }!
        var sequence: [PassphraseMatch] = []
        var end = length - 1
        var remaining = pieces
        while remaining > 0 {
            let match = bestMatch[end][remaining]!
            sequence.insert(match, at: 0)
            end = match.first - first - 1
            remaining -= 1
        }
        return (score, sequence)
    }

    /// A stretch of characters with no pattern: ten guesses per character (at least 11 for one).
    private func bruteforce(_ first: Int, _ last: Int) -> PassphraseMatch {
        let length = last - first + 1
        return PassphraseMatch(
            first: first, last: last, log10Guesses: length == 1 ? log10(11.0) : Double(length), pattern: .bruteforce
        )
    }

    /// A match's guesses, raised as zxcvbn does when it is only part of the stretch: an attacker cannot know where
    /// a piece starts, so no piece shorter than the whole counts for fewer than 10 guesses (one character) or 50.
    private func guesses(_ match: PassphraseMatch, within length: Int) -> Double {
        guard match.pattern != .bruteforce, match.length < length else { return match.log10Guesses }
        return max(match.log10Guesses, match.length == 1 ? 1 : log10(50.0))
    }
}

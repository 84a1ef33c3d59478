/// A piece of the passphrase that an attacker would guess as a unit, and how many guesses it takes (as zxcvbn's
/// matches). It holds positions and counts, never the characters.
struct PassphraseMatch {
    /// What the piece is.
    enum Pattern: Equatable {
        /// Nothing recognised: ten guesses per character.
        case bruteforce
        /// A word of a list, perhaps reversed, in l33t, or typed with the other keyboard layout selected.
        case word(RankedWords.List, reversed: Bool, l33t: Bool, otherLayout: Bool)
        /// Neighbouring keys on a keyboard.
        case keyboard(String)
        /// Characters in steady steps, as `abc`, `13579` or `жзи`.
        case sequence
        /// A piece said again, as `aaaa` or `abcabc`.
        case repeated
        /// A date with or without separators.
        case date
        /// A year from 1900 to 2099.
        case year
    }

    /// First and last position, inclusive, in scalars.
    let first: Int
    let last: Int
    /// log10 of the guesses for this piece alone.
    let log10Guesses: Double
    let pattern: Pattern

    var length: Int { last - first + 1 }
}

extension PassphraseMatch {
    /// Why a passphrase made of `patterns` (and guessed stretches) is as weak as it is: the words when there are
    /// several, since the attacker tries them in combination, else the longest pattern.
    static func explanation(of patterns: [PassphraseMatch]) -> String {
        let words = patterns.filter { if case .word = $0.pattern { true } else { false } }.count
        if words >= 2 { return "it is \(words) words from lists of common words, names and passwords" }
        return (patterns.max { $0.length < $1.length }?.pattern ?? .bruteforce).explanation
    }
}

extension PassphraseMatch.Pattern {
    /// Why a piece of this kind is weak, as an explanation that names no character of the passphrase.
    var explanation: String {
        switch self {
        case .bruteforce: "it is too short to resist trying every string, and has no pattern that would help"
        case .word(let list, let reversed, let l33t, let otherLayout):
            [Self.describe(list), reversed ? "reversed" : nil, l33t ? "with look-alike symbols (l33t)" : nil,
             otherLayout ? "typed with the other keyboard layout selected" : nil]
                .compactMap { $0 }.joined(separator: ", ")
        case .keyboard(let layout): "it is a run of neighbouring keys on the \(layout) keyboard"
        case .sequence: "it is a sequence such as abc, 123 or абв"
        case .repeated: "it repeats characters or a piece of itself"
        case .date: "it is a date"
        case .year: "it is a year"
        }
    }

    private static func describe(_ list: RankedWords.List) -> String {
        switch list {
        case .password: "it is one of the most common passwords"
        case .english: "it is a common English word"
        case .name: "it is a common name"
        case .russian: "it is a common Russian word"
        case .kazakh: "it is a common Kazakh word"
        case .diceware: "it is a word from the diceware list"
        }
    }
}

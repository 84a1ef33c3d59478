/// Every word list in one table, looked up by a hash of scalars so that a piece of the passphrase is never made
/// into a `String` to be looked up.
///
/// A word's rank is its place in its list (1 for the most common), which zxcvbn takes as the number of guesses
/// an attacker needs for it; a word in several lists keeps its best rank. The diceware list is in alphabetical
/// order, so each of its words counts as 7776 guesses, the size of the list.
enum RankedWords {
    /// The list a word was found in, for the explanation.
    enum List: UInt8, Sendable {
        case password
        case english
        case name
        case russian
        case kazakh
        case diceware
    }

    /// A word's rank and list.
    struct Entry: Sendable {
        let rank: Int32
        let list: List
    }

    /// The longest word, in scalars: no piece of the passphrase longer than this is looked up.
    static let longest = table.longest

    /// Looks up the hash of a piece of the passphrase (``hash(_:_:)`` from ``seed``).
    static func entry(_ hash: UInt64) -> Entry? {
        table.entries[hash]
    }

    /// The hash of the empty piece.
    static let seed: UInt64 = 0xCBF2_9CE4_8422_2325

    /// Extends `hash` with one scalar: FNV-1a over the scalar's four bytes. A collision could only make a piece look
    /// like a word, and so the passphrase look weaker, never stronger; with about 40,000 words and 64-bit hashes it
    /// is vanishingly rare.
    static func hash(_ hash: UInt64, _ scalar: UInt32) -> UInt64 {
        var value = hash
        for shift in stride(from: 0, to: 32, by: 8) {
            value = (value ^ UInt64((scalar >> UInt32(shift)) & 0xFF)) &* 0x0000_0100_0000_01B3
        }
        return value
    }

    private static let table: (entries: [UInt64: Entry], longest: Int) = {
        var entries: [UInt64: Entry] = [:]
        var longest = 0
        let lists: [(String, List, fixedRank: Int32?)] = [
            (PassphraseWords.passwords, .password, nil), (PassphraseWords.english, .english, nil),
            (PassphraseWords.names, .name, nil), (PassphraseWords.russian, .russian, nil),
            (PassphraseWords.kazakh, .kazakh, nil), (PassphraseWords.effLarge, .diceware, 7776),
        ]
        for (text, list, fixedRank) in lists {
            for (index, word) in PassphraseWords.words(text).enumerated() {
                var hash = seed
                var length = 0
                for scalar in word.unicodeScalars {
                    hash = Self.hash(hash, ScalarCase.lowercased(scalar.value))
                    length += 1
                }
                let rank = fixedRank ?? Int32(index + 1)
                if let known = entries[hash], known.rank <= rank { continue }
                entries[hash] = Entry(rank: rank, list: list)
                longest = max(longest, length)
            }
        }
        return (entries, longest)
    }()
}

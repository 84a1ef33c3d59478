/// Words a volunteer may type for a command (send, yes, no), matched the way people type: in any case, and
/// whatever the keyboard layout was. Kazakh words typed on a Russian keyboard lose their own letters (`жиберу`
/// for `жіберу`, `жок` for `жоқ`), and a word typed with the wrong layout active comes out in the other alphabet
/// (`ыутв` for `send`, `lf` for `да`): both are read as the word meant.
struct AnswerWords: ExpressibleByArrayLiteral, Sendable {
    private let folded: Set<String>

    init(arrayLiteral words: String...) {
        folded = Set(words.flatMap { Self.forms(of: $0) })
    }

    /// Whether `answer` is one of the words, in any of the forms above.
    func contains(_ answer: String) -> Bool {
        folded.contains(Self.fold(answer))
    }

    /// Lowercased, Kazakh letters replaced by the Russian ones a Russian keyboard gives instead.
    static func fold(_ text: String) -> String {
        String(text.lowercased().map { kazakhToRussian[$0] ?? $0 })
    }

    /// The word, and the word as typed on the other layout (ЙЦУКЕН for a Latin word, QWERTY for a Cyrillic one),
    /// each folded. Not for one letter: `y` on the Russian layout is `н`, which means no.
    static func forms(of word: String) -> [String] {
        let folded = fold(word)
        guard folded.count > 1 else { return [folded] }
        let swapped = String(folded.map { latinToCyrillic[$0] ?? cyrillicToLatin[$0] ?? $0 })
        return swapped == folded ? [folded] : [folded, swapped]
    }

    private static let kazakhToRussian: [Character: Character] = [
        "ә": "а", "і": "и", "ң": "н", "ғ": "г", "ү": "у", "ұ": "у", "қ": "к", "ө": "о", "һ": "х",
    ]

    /// The same keys on the US and the Russian layouts.
    private static let latinToCyrillic: [Character: Character] = {
        let latin = Array("qwertyuiop[]asdfghjkl;'zxcvbnm,.`")
        let cyrillic = Array("йцукенгшщзхъфывапролджэячсмитьбюё")
        return Dictionary(uniqueKeysWithValues: zip(latin, cyrillic))
    }()

    private static let cyrillicToLatin: [Character: Character] = {
        Dictionary(uniqueKeysWithValues: latinToCyrillic.map { ($1, $0) })
    }()
}

import AmanatCrypto
@testable import AmanatKeys
import Foundation
import Testing

@Suite struct PassphraseStrengthTests {
    private func estimate(_ text: String) throws -> PassphraseStrength {
        try PassphraseStrength.estimate(secret(text))
    }

    @Test("weak passphrases are refused", arguments: [
        "a", "password", "qwerty123", "йцукен", "ЙЦУКЕН123", "15.07.1985", "1985-07-15", "15071985", "P@ssw0rd!",
        "ghbdtn", "ljhjuf", "Пароль", "gfhjkm2020", "qazwsxedc", "1qaz2wsx", "әіңғүұқ", "abcabcabcabc", "aaaaaaaaaaaa",
        "987654321", "абвгдежзий", "Zhanar1985", "ёлка2024", "сәлем", "xK9#mQ2$vL7@",
    ])
    func weakPassphrasesAreRefused(_ text: String) throws {
        let strength = try estimate(text)
        #expect(!strength.isStrongEnough, "\(text): \(strength.summary)")
        #expect(strength.log10Guesses < 13, "\(text): \(strength.summary)")
    }

    @Test("one character is eleven guesses and one, the second commonest password two and one")
    func theSmallestCases() throws {
        // 11 guesses for one unknown character, plus zxcvbn's 10000^0 for a one-piece sequence.
        #expect(abs(try estimate("a").log10Guesses - log10(12.0)) < 1e-9)
        // Rank 2, plus the same 1.
        let password = try estimate("password")
        #expect(abs(password.log10Guesses - log10(3.0)) < 1e-9)
        #expect(password.weakness == "it is one of the most common passwords")
    }

    @Test("a password typed with the Russian layout selected is the password")
    func cyrillicKeysReadAsLatin() throws {
        let strength = try estimate("йцукен")
        // qwerty is rank 4; the other layout doubles it.
        #expect(abs(strength.log10Guesses - log10(4 * 2 + 1)) < 1e-9)
        #expect(strength.weakness.contains("typed with the other keyboard layout selected"))
    }

    @Test("a Russian word typed with the Latin layout selected is the Russian word")
    func latinKeysReadAsCyrillic() throws {
        let strength = try estimate("ljhjuf")  // дорога
        #expect(strength.weakness == "it is a common Russian word, typed with the other keyboard layout selected")
        #expect(strength.log10Guesses < 5)
    }

    @Test("runs of neighbouring keys on the Kazakh digit row and on QWERTY")
    func keyboardRuns() throws {
        #expect(try estimate("әіңғүұқ").weakness == "it is a run of neighbouring keys on the Kazakh keyboard")
        #expect(try estimate("zxcvbnm,./").weakness == "it is a run of neighbouring keys on the QWERTY keyboard")
    }

    @Test("a date with separators costs 365 days times the years from now times 4 separators")
    func dates() throws {
        let strength = try estimate("15.07.1985")
        let years = Double(max(abs(PassphraseMatcher.thisYear - 1985), 20))
        #expect(abs(strength.log10Guesses - log10(365 * years * 4 + 1)) < 1e-9)
        #expect(strength.weakness == "it is a date")
        #expect(try estimate("19850715").weakness == "it is a date")
    }

    @Test("l33t, capitals, reversal and ё are seen through")
    func variations() throws {
        #expect(try estimate("P@ssw0rd").weakness.contains("l33t"))
        #expect(try estimate("drowssap").weakness.contains("reversed"))
        #expect(try estimate("PASSWORD").log10Guesses < 1)
        #expect(try estimate("ёлка").log10Guesses == (try estimate("елка")).log10Guesses)
    }

    @Test("common words joined by separators are a few guesses each, not ten per separator")
    func wordsAndSeparators() throws {
        let xkcd = try estimate("correct horse battery staple")
        #expect(!xkcd.isStrongEnough, "\(xkcd.summary)")
        #expect(xkcd.weakness == "it is 4 words from lists of common words, names and passwords")
        #expect(!(try estimate("correct-horse-battery-staple").isStrongEnough))
    }

    @Test("a generated passphrase is six words of the EFF list, different each time, and strong")
    func generatedPassphrases() throws {
        let words = Set(GeneratedPassphrase.words.map { String(decoding: $0, as: UTF8.self) })
        #expect(words.count == 7776)
        #expect(abs(GeneratedPassphrase.bits - 77.55) < 0.01)
        let first = try GeneratedPassphrase.make()
        let second = try GeneratedPassphrase.make()
        #expect(first != second)
        for phrase in [first, second] {
            let text = phrase.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            let parts = text.split(separator: " ", omittingEmptySubsequences: false)
            #expect(parts.count == 6 && parts.allSatisfy { words.contains(String($0)) }, "\(text)")
            let strength = try PassphraseStrength.estimate(phrase)
            #expect(strength.isStrongEnough, "\(strength.summary)")
        }
    }

    @Test("strong passphrases pass", arguments: [
        "xK9#mQ2$vL7@pR4!", "the quick Жаркент lorry ate 17 green umbrellas",
    ])
    func strongPassphrasesPass(_ text: String) throws {
        let strength = try estimate(text)
        #expect(strength.isStrongEnough, "\(text): \(strength.summary)")
    }

    @Test("the explanation names the kind of pattern, never the passphrase")
    func explanationsDoNotEchoThePassphrase() throws {
        for text in ["qwerty123", "йцукен", "ghbdtn", "drowssap", "15.07.1985", "Zhanar1985"] {
            let strength = try estimate(text)
            let said = strength.summary + " " + strength.meaning(for: .moderate)
            #expect(!said.lowercased().contains(text.lowercased()), "\(said)")
        }
    }

    @Test("what the estimate means against MODERATE: about 10^3 guesses a second on one GPU")
    func meaning() throws {
        #expect(abs(log10(PassphraseStrength.attackerGuessesPerSecond(.moderate)) - 2.92) < 0.01)
        let said = try estimate("a").meaning(for: .moderate)
        #expect(said.contains("about 10^3 passphrases a second"), "\(said)")
        #expect(said.contains("3 passes over 256 MiB"), "\(said)")
        #expect(said.contains("under a second"), "\(said)")
        #expect(said.contains("at least 10^16 guesses (53 bits, about 383 thousand years for one GPU)"), "\(said)")
    }

    @Test("long passphrases, invalid UTF-8 and the empty passphrase are estimated without trouble")
    func edges() throws {
        let repeated = try estimate(String(repeating: "ab", count: 512))
        #expect(repeated.log10Guesses < 5 && repeated.weakness == "it repeats characters or a piece of itself")
        var generator = SystemRandomNumberGenerator()
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let random = String((0..<1000).map { _ in letters[Int(generator.next() % 36)] })
        #expect(try estimate(random).log10Guesses > 500)
        #expect(try PassphraseStrength.estimate(secret([0xFF, 0xFE, 0xC3])).log10Guesses > 0)
        #expect(try PassphraseStrength.estimate(SecretBytes(count: 0)).log10Guesses == 0)
    }
}

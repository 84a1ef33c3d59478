public import AmanatCrypto
import CSodium
import Glibc

/// A passphrase of words drawn at random from the EFF large wordlist (7776 words, about 12.9 bits each), diceware
/// style, with libsodium's `randombytes_uniform` (no modulo bias) in place of dice.
public enum GeneratedPassphrase {
    /// Words in a generated passphrase: six give about 77 bits, beyond any search.
    public static let wordCount = 6

    /// The wordlist, as bytes.
    static let words: [[UInt8]] = PassphraseWords.words(PassphraseWords.effLarge).map { Array($0.utf8) }

    /// The exact strength of a generated passphrase: log2 of the number of passphrases the generator can make.
    public static var bits: Double { Double(wordCount) * log2(Double(words.count)) }

    /// A new passphrase of ``wordCount`` words separated by single spaces, in protected memory. The words' places
    /// in the list are drawn into protected memory too, and wiped.
    public static func make() throws(CryptoError) -> SecretBytes {
        try Sodium.initialise()
        let picks = try SecretBytes(count: wordCount * MemoryLayout<UInt32>.stride)
        defer { picks.wipe() }
        let length = picks.withUnsafeMutableBytes { raw in
            let indices = raw.bindMemory(to: UInt32.self)
            var length = wordCount - 1
            for word in 0..<wordCount {
                indices[word] = randombytes_uniform(UInt32(words.count))
                length += words[Int(indices[word])].count
            }
            return length
        }
        let phrase = try SecretBytes(count: length)
        picks.withUnsafeBytes { raw in
            let indices = raw.bindMemory(to: UInt32.self)
            phrase.withUnsafeMutableBytes { out in
                var offset = 0
                for word in 0..<wordCount {
                    if word > 0 {
                        out[offset] = UInt8(ascii: " ")
                        offset += 1
                    }
                    for byte in words[Int(indices[word])] {
                        out[offset] = byte
                        offset += 1
                    }
                }
            }
        }
        return phrase
    }
}

public import AmanatCrypto
import Glibc

/// How many guesses an attacker needs to find a passphrase, estimated the way zxcvbn does (``PassphraseMatcher``):
/// common passwords and words in English, Russian and Kazakh (also reversed, in l33t, or typed with the other
/// keyboard layout selected), names, runs of neighbouring keys on QWERTY, Russian and Kazakh keyboards, repeats,
/// sequences, dates and years; whatever is left counts ten guesses per character.
///
/// The passphrase is read from its `SecretBytes` into protected scratch memory only (``PassphraseScalars``);
/// the estimate keeps numbers, and its explanation names a kind of pattern, never a character of the passphrase.
public struct PassphraseStrength: Sendable, Equatable {
    /// log10 of the estimated number of guesses.
    public let log10Guesses: Double
    /// Why the passphrase is as weak as it is: the longest pattern found in it, in words.
    public let weakness: String

    /// The fewest guesses a new passphrase must need: 10^16, about 53 bits. At Argon2id's MODERATE parameters one
    /// GPU needs about 400,000 years for that many, and a thousand GPUs about 400 years.
    public static let requiredLog10Guesses = 16.0

    /// The estimate in bits: log2 of the guesses.
    public var bits: Double { log10Guesses / log10(2.0) }

    /// True when the passphrase needs at least ``requiredLog10Guesses``.
    public var isStrongEnough: Bool { log10Guesses >= Self.requiredLog10Guesses }

    /// Estimates `passphrase` (its bytes as UTF-8; invalid bytes count as unusual characters).
    public static func estimate(_ passphrase: SecretBytes) throws(CryptoError) -> PassphraseStrength {
        let scalars = try PassphraseScalars(passphrase)
        defer { scalars.wipe() }
        return scalars.withViews { views in
            guard views.count > 0 else { return PassphraseStrength(log10Guesses: 0, weakness: "it is empty") }
            let matcher = PassphraseMatcher(views: views, referenceYear: PassphraseMatcher.thisYear)
            let (total, patterns) = matcher.estimate(0, views.count - 1)
            return PassphraseStrength(log10Guesses: total, weakness: PassphraseMatch.explanation(of: patterns))
        }
    }

    /// Guesses a second for one GPU-class attacker against Argon2id at `parameters`, as an order of magnitude.
    ///
    /// Argon2id is bound by memory bandwidth: each guess fills `memLimit` bytes and makes `opsLimit` passes over
    /// them, each block read twice and written once. A current high-end GPU moves about 2 TB/s, so at MODERATE
    /// (3 passes over 256 MiB) it makes about 800 guesses a second; a CPU core makes about one.
    public static func attackerGuessesPerSecond(_ parameters: Argon2idParameters) -> Double {
        2e12 / (3 * Double(parameters.opsLimit) * Double(parameters.memLimit))
    }

    /// One line: the estimate and why.
    public var summary: String {
        "about 10^\(Int(log10Guesses.rounded())) guesses (\(Int(bits.rounded())) bits): \(weakness)"
    }

    /// What the estimate means against a key file sealed with `parameters`, and what is required.
    public func meaning(for parameters: Argon2idParameters) -> String {
        let rate = Self.attackerGuessesPerSecond(parameters)
        let mebibytes = parameters.memLimit >> 20
        let required = Int(Self.requiredLog10Guesses)
        let requiredBits = Int((Self.requiredLog10Guesses / log10(2.0)).rounded())
        let found = Self.duration(log10Seconds: log10Guesses - log10(rate))
        let enough = Self.duration(log10Seconds: Self.requiredLog10Guesses - log10(rate))
        return "with the key file, one GPU tries about 10^\(Int(log10(rate).rounded())) passphrases a second against "
            + "its Argon2id (\(parameters.opsLimit) passes over \(mebibytes) MiB), so it would find this one in \(found); "
            + "a new passphrase must need at least 10^\(required) guesses (\(requiredBits) bits, \(enough) for one GPU)"
    }

    /// A time in words, from its log10 in seconds.
    static func duration(log10Seconds: Double) -> String {
        let seconds = pow(10, log10Seconds)
        let year = 365.25 * 86400
        func about(_ value: Double, _ unit: String) -> String {
            let whole = max(1, Int(value.rounded()))
            return "about \(whole) \(unit)\(whole == 1 ? "" : "s")"
        }
        switch seconds {
        case ..<1: return "under a second"
        case ..<60: return about(seconds, "second")
        case ..<3600: return about(seconds / 60, "minute")
        case ..<86400: return about(seconds / 3600, "hour")
        case ..<year: return about(seconds / 86400, "day")
        case ..<(1000 * year): return about(seconds / year, "year")
        case ..<(1e6 * year): return "about \(Int((seconds / year / 1e3).rounded())) thousand years"
        case ..<(1e9 * year): return "about \(Int((seconds / year / 1e6).rounded())) million years"
        default: return "about 10^\(Int((log10Seconds - log10(year)).rounded())) years"
        }
    }
}

import AmanatFormat

/// The paper the witness keeps: the record id and the withdrawal token in groups of four that a person can copy by
/// hand or read over the phone, each ended by a check character (Luhn mod N over its own alphabet: it catches
/// every single mistyped character and nearly every swap of neighbours). It names no project or organisation: the
/// token's `amanat-wt-` prefix is left off, since the paper may be carried across a border.
///
/// What a person types back is read leniently (``parseRecordID(_:)``, ``parseToken(_:)``): any case, spaces or
/// dashes anywhere, with or without the prefix and the check character; a wrong check character is a typo.
enum WithdrawalSlip {
    static let hexAlphabet = Array("0123456789abcdef")
    static let base32Alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")

    /// The id as the slip shows it: `65b2 d8a5 … 9732 k`.
    static func recordLine(_ recordID: String) -> String {
        grouped(recordID + String(check(for: recordID, in: hexAlphabet)))
    }

    /// The token (with or without its prefix) as the slip shows it: 13 groups of four and the check character.
    static func tokenLine(_ token: String) -> String {
        let body = token.hasPrefix(WithdrawalToken.prefix) ? String(token.dropFirst(WithdrawalToken.prefix.count)) : token
        return grouped(body + String(check(for: body, in: base32Alphabet)))
    }

    /// The whole slip in `language`, 80 columns at most.
    static func text(recordID: String, token: String, language: IntakeLanguage) -> String {
        [
            UI.slipTitle(language),
            "",
            UI.slipRecord(language) + "  " + recordLine(recordID),
            UI.slipToken(language) + "  " + tokenLine(token),
            "",
            "",
        ].joined(separator: "\n") + IntakeTerminal.wrap(UI.slipNote(language), width: 78).joined(separator: "\n") + "\n"
    }

    /// Why typed text is not an id or a token.
    enum Typo: Error, Equatable {
        /// After removing spaces and dashes, it has the wrong number of characters.
        case length(found: Int)
        /// A character that cannot occur, at this 1-based position.
        case character(Character, position: Int)
        /// The check character does not match: a character was mistyped or two were swapped.
        case check
    }

    /// A record id typed by a person: 32 hex digits, optionally followed by the slip's check character.
    static func parseRecordID(_ typed: String) -> Result<String, Typo> {
        parse(typed, prefix: nil, length: 32, alphabet: hexAlphabet)
    }

    /// A withdrawal token typed by a person, returned as `amanat-wt-…`: 52 base32 letters, optionally after the prefix
    /// and followed by the slip's check character.
    static func parseToken(_ typed: String) -> Result<String, Typo> {
        parse(typed, prefix: WithdrawalToken.prefix, length: 52, alphabet: base32Alphabet)
            .map { WithdrawalToken.prefix + $0 }
    }

    static func parse(
        _ typed: String, prefix: String?, length: Int, alphabet: [Character]
    ) -> Result<String, Typo> {
        var text = typed.lowercased().trimmingCharacters(in: [" ", "\t", "\n", "\r"])
        if let prefix, text.hasPrefix(prefix) { text = String(text.dropFirst(prefix.count)) }
        let characters = text.filter { $0 != " " && $0 != "-" && $0 != "\t" }
        for (index, character) in characters.enumerated() where !alphabet.contains(character) {
            return .failure(.character(character, position: index + 1))
        }
        guard characters.count == length || characters.count == length + 1 else {
            return .failure(.length(found: characters.count))
        }
        let body = String(characters.prefix(length))
        if characters.count == length + 1, characters.last != check(for: body, in: alphabet) {
            return .failure(.check)
        }
        return .success(body)
    }

    /// Luhn mod N over `alphabet` (N = its size): the character that makes the weighted sum divisible by N.
    static func check(for text: String, in alphabet: [Character]) -> Character {
        let n = alphabet.count
        var factor = 2
        var sum = 0
        for character in text.reversed() {
            let addend = factor * (alphabet.firstIndex(of: character) ?? 0)
            factor = factor == 2 ? 1 : 2
            sum += addend / n + addend % n
        }
        return alphabet[(n - sum % n) % n]
    }

    static func grouped(_ text: String) -> String {
        var groups: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(4)))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: " ")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

/// Reading l33t back to letters (`p@ssw0rd` is `password`), as zxcvbn does.
enum L33t {
    /// How the ambiguous 1, | and 7 are read: as i (i, i, t) or as l.
    enum Reading {
        case i
        case l
    }

    private static let unambiguous: [UInt32: UInt32] = {
        let pairs: [(Character, Character)] = [
            ("4", "a"), ("@", "a"), ("8", "b"), ("(", "c"), ("{", "c"), ("[", "c"), ("<", "c"), ("3", "e"),
            ("6", "g"), ("9", "g"), ("!", "i"), ("0", "o"), ("$", "s"), ("5", "s"), ("+", "t"), ("%", "x"), ("2", "z"),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.map { (scalar($0.0), scalar($0.1)) })
    }()

    /// Every symbol read as a letter.
    static let symbols: [UInt32] = Array(unambiguous.keys).sorted() + [0x31, 0x37, 0x7C]

    /// The letter `scalar` stands for, or `scalar` itself.
    static func letter(for scalar: UInt32, ambiguousAs reading: Reading) -> UInt32 {
        if let letter = unambiguous[scalar] { return letter }
        switch (scalar, reading) {
        case (0x31, .i), (0x7C, .i): return 0x69  // 1 and | as i
        case (0x37, .i): return 0x74  // 7 as t
        case (0x31, .l), (0x7C, .l), (0x37, .l): return 0x6C  // 1, | and 7 as l
        default: return scalar
        }
    }

    private static func scalar(_ character: Character) -> UInt32 {
        character.unicodeScalars.first!.value
    }
}

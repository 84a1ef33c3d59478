/// A keyboard as the estimator sees it: which key each character is on (and whether with Shift), and where the key
/// sits, so that runs of neighbouring keys (`qwerty`, `йцукен`, `1qaz`) are recognised, as zxcvbn's spatial
/// matcher does.
///
/// Rows are staggered as on a real keyboard: each row sits half a key to the right of the one above, so a key has
/// up to six neighbours (left, right, two above, two below).
struct KeyboardLayout: Sendable {
    /// The layout's name, for the estimate's explanation.
    let name: String
    /// Per key: its row and its horizontal place in half-key units.
    private let places: [(row: Int, x: Int)]
    /// Per character: its key, and whether Shift is held.
    private let keys: [UInt32: (key: Int, shifted: Bool)]
    /// The unshifted character of each key.
    let unshifted: [UInt32]
    /// The number of keys, zxcvbn's starting positions.
    var keyCount: Int { places.count }
    /// The mean number of neighbours of a key.
    let averageDegree: Double

    /// A layout from its four rows: digits, then three rows of letters, each as unshifted and shifted characters
    /// (one per key, the same count). The digit row starts at the leftmost key; the others one key in.
    init(name: String, rows: [(unshifted: String, shifted: String)]) {
        self.name = name
        var places: [(row: Int, x: Int)] = []
        var keys: [UInt32: (key: Int, shifted: Bool)] = [:]
        var unshifted: [UInt32] = []
        for (row, characters) in rows.enumerated() {
            let plain = Array(characters.unshifted.unicodeScalars)
            let shift = Array(characters.shifted.unicodeScalars)
            precondition(plain.count == shift.count, "a key needs both characters")
            let start = row == 0 ? 0 : 1
            for column in plain.indices {
                let key = places.count
                places.append((row, 2 * (start + column) + row))
                unshifted.append(plain[column].value)
                if keys[plain[column].value] == nil { keys[plain[column].value] = (key, false) }
                if keys[shift[column].value] == nil { keys[shift[column].value] = (key, true) }
            }
        }
        self.places = places
        self.keys = keys
        self.unshifted = unshifted
        var neighbours = 0
        for a in places.indices {
            for b in places.indices where Self.direction(from: places[a], to: places[b]) != nil { neighbours += 1 }
        }
        averageDegree = Double(neighbours) / Double(places.count)
    }

    /// The key `scalar` is typed with, and whether Shift is held.
    func key(of scalar: UInt32) -> (key: Int, shifted: Bool)? {
        keys[scalar]
    }

    /// Which of the six directions leads from key `a` to its neighbour `b`, or nil when they are not neighbours.
    func direction(from a: Int, to b: Int) -> Int? {
        Self.direction(from: places[a], to: places[b])
    }

    private static func direction(from a: (row: Int, x: Int), to b: (row: Int, x: Int)) -> Int? {
        switch (b.row - a.row, b.x - a.x) {
        case (0, -2): 0
        case (0, 2): 1
        case (-1, -1): 2
        case (-1, 1): 3
        case (1, -1): 4
        case (1, 1): 5
        default: nil
        }
    }
}

extension KeyboardLayout {
    /// US QWERTY.
    static let qwerty = KeyboardLayout(name: "QWERTY", rows: [
        ("`1234567890-=", "~!@#$%^&*()_+"),
        ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
        ("asdfghjkl;'", "ASDFGHJKL:\""),
        ("zxcvbnm,./", "ZXCVBNM<>?"),
    ])

    /// Russian ЙЦУКЕН (Windows and X11 "ru").
    static let russian = KeyboardLayout(name: "Russian", rows: [
        ("ё1234567890-=", "Ё!\"№;%:?*()_+"),
        ("йцукенгшщзхъ\\", "ЙЦУКЕНГШЩЗХЪ/"),
        ("фывапролджэ", "ФЫВАПРОЛДЖЭ"),
        ("ячсмитьбю.", "ЯЧСМИТЬБЮ,"),
    ])

    /// Kazakh (X11 "kz" basic, as Windows' Kazakh): the Russian letters, with the Kazakh ones on the digit row.
    static let kazakh = KeyboardLayout(name: "Kazakh", rows: [
        ("(\"әіңғ,.үұқөһ", ")!ӘІҢҒ;:ҮҰҚӨҺ"),
        ("йцукенгшщзхъ\\", "ЙЦУКЕНГШЩЗХЪ/"),
        ("фывапролджэ", "ФЫВАПРОЛДЖЭ"),
        ("ячсмитьбю№", "ЯЧСМИТЬБЮ?"),
    ])

    /// The layouts whose runs of neighbouring keys count as patterns.
    static let all = [qwerty, russian, kazakh]

    /// A Cyrillic letter to the Latin character on its key, so that `йцукен` reads as `qwerty` and `пароль` typed
    /// with the wrong layout selected is still found.
    static let latinOfCyrillic: [UInt32: UInt32] = {
        var map: [UInt32: UInt32] = [:]
        for layout in [russian, kazakh] {
            for (key, character) in layout.unshifted.enumerated() where isLetter(character) {
                map[ScalarCase.lowercased(character)] = qwerty.unshifted[key]
            }
        }
        return map
    }()

    /// A Latin key to the Russian letter on it: `ghbdtn` is `привет` typed with the Latin layout selected.
    static let russianOfLatin = cyrillic(of: russian)

    /// A Latin key (digits too) to the Kazakh letter on it.
    static let kazakhOfLatin = cyrillic(of: kazakh)

    private static func cyrillic(of layout: KeyboardLayout) -> [UInt32: UInt32] {
        var map: [UInt32: UInt32] = [:]
        for (key, character) in layout.unshifted.enumerated() where isLetter(character) {
            map[qwerty.unshifted[key]] = ScalarCase.lowercased(character)
        }
        return map
    }

    /// A Cyrillic letter other than ё, which shares its reading with е (``ScalarCase``) and is left out so that
    /// it cannot take е's key.
    private static func isLetter(_ scalar: UInt32) -> Bool {
        (0x400...0x4FF).contains(scalar) && scalar != 0x451
    }
}

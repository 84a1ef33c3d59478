/// Letter case for the scripts the estimator knows (ASCII, Russian and Kazakh Cyrillic), on bare scalars so that no
/// `String` of the passphrase is made. Other scalars have no case here.
enum ScalarCase {
    /// Kazakh letters outside the Russian block, uppercase: Ғ Қ Ң Ү Ұ Һ Ә Ө. Each lowercase form is the next scalar.
    private static let kazakhUpper: Set<UInt32> = [0x492, 0x49A, 0x4A2, 0x4AE, 0x4B0, 0x4BA, 0x4D8, 0x4E8]

    /// The lowercase form, with ё read as е (people type one for the other).
    static func lowercased(_ scalar: UInt32) -> UInt32 {
        switch scalar {
        case 0x41...0x5A: scalar + 0x20
        case 0x401, 0x451: 0x435
        case 0x400...0x40F: scalar + 0x50
        case 0x410...0x42F: scalar + 0x20
        case _ where kazakhUpper.contains(scalar): scalar + 1
        default: scalar
        }
    }

    /// True for an uppercase letter.
    static func isUpper(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x41...0x5A, 0x400...0x42F: true
        default: kazakhUpper.contains(scalar)
        }
    }

    /// True for a lowercase letter.
    static func isLower(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x61...0x7A, 0x430...0x45F: true
        default: kazakhUpper.contains(scalar &- 1)
        }
    }
}

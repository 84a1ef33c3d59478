@testable import AmanatJSON
import Testing

@Suite struct NFCQuickCheckTests {
    /// Every scalar the quick check lets through is its own NFC and a starter, by the standard library's
    /// normaliser (the one `String.nfc` uses otherwise).
    @Test func everyScalarInTheRangesIsAStableStarter() {
        var checked = 0
        for range in String.quickCheckNFCRanges {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let text = String(Character(scalar))
                #expect(scalar.properties.generalCategory != .unassigned, "U+\(String(value, radix: 16))")
                #expect(scalar.properties.canonicalCombiningClass == .notReordered, "U+\(String(value, radix: 16))")
                #expect(Array(text._nfcCodeUnits) == Array(text.utf8), "U+\(String(value, radix: 16))")
                checked += 1
            }
        }
        #expect(checked > 33_000)
    }

    @Test func theRangesAreSortedAndApart() {
        let ranges = String.quickCheckNFCRanges
        #expect(ranges.first!.lowerBound >= 0x0300)
        for (before, after) in zip(ranges, ranges.dropFirst()) { #expect(before.upperBound < after.lowerBound) }
    }

    /// Text in the scripts the quick check covers passes it, and the normaliser agrees that it is NFC.
    @Test(arguments: [
        "Болатбек Сейітханұлы Қытайда ұсталды: «лагерь», 2017 ж.",
        "Меня задержали в октябре 2017 года на границе в Хоргосе — паспорт забрали.",
        "بولاتبەك سەيىتقانۇلى، غۇلجا",
        "波拉提别克·赛提汗（居马拜）、伊犁",
        "カザフ語と한국어 ＡＢＣ ½ € ‘quotes’ … ₸",
        "Αθήνα στην Ελλάδα",
        "Vietnamese: Nguyễn Văn Thành",
        String(repeating: "a", count: 37) + "ж",
    ])
    func textInCoveredScriptsPasses(_ text: String) {
        #expect(String.isQuickCheckNFC(text.utf8))
        #expect(Array(text._nfcCodeUnits) == Array(text.utf8))
    }

    /// Anything the quick check cannot vouch for goes to the normaliser, wherever it sits among ASCII.
    @Test(arguments: [
        "\u{0301}", "\u{0483}", "\u{0670}", "\u{1100}\u{1161}", "\u{AC00}\u{11A8}", "\u{2000}", "\u{F900}",
        "\u{3099}", "\u{0344}", "\u{1F600}", "\u{0374}", "\u{0654}",
    ])
    func scalarsOutsideTheRangesAreLeftToTheNormaliser(_ tail: String) {
        for prefix in 0...17 {
            let text = String(repeating: "x", count: prefix) + tail + "yz"
            #expect(!String.isQuickCheckNFC(text.utf8), "after \(prefix) ASCII bytes")
        }
    }

    @Test func nfcStillComposesWhatTheQuickCheckRefuses() {
        #expect("Сау\u{0306}ле".nfc == "Саўле".nfc)
        #expect("Й".decomposedStringForTest.nfc == "Й")
        #expect("\u{AC00}\u{11A8}".nfc == "\u{AC01}")
    }
}

private extension String {
    /// Й as И followed by the combining breve.
    var decomposedStringForTest: String { "\u{0418}\u{0306}" }
}

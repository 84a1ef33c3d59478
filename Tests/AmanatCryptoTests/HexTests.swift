import AmanatCrypto
import Testing

@Suite struct HexTests {
    @Test func encodesLowercase() {
        #expect(Hex.encode([]) == "")
        #expect(Hex.encode([0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF]) == "00017f80abff")
        #expect(Hex.encode((0...255).map { UInt8($0) }).utf8.count == 512)
    }

    @Test func decodes() {
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("00017f80abff") == [0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF])
        let every = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(every)) == every)
    }

    @Test(arguments: ["0", "abc", "AB", "aB", "0g", "zz", " 00", "00 ", "0x00", "é0"])
    func rejects(_ text: String) {
        #expect(Hex.decode(text) == nil)
    }
}

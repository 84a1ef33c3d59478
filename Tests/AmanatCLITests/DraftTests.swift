import AmanatCrypto
import AmanatDraftSealing
@testable import amanat
import Testing

/// The draft code as the volunteer writes and types it, the id and key derived from it (FORMAT.md section 15, against
/// values computed with Python's hashlib), and the sealing of a snapshot.
@Suite("amanat: drafts") struct DraftTests {
    /// The code of the bytes 0, 1, …, 14.
    static func counting() throws -> DraftCode {
        let bytes = try SecretBytes(count: DraftCode.byteCount)
        bytes.withUnsafeMutableBytes { for index in 0..<$0.count { $0[index] = UInt8(index) } }
        return DraftCode(bytes: bytes)
    }

    @Test("the code, its id and its key match the vectors computed independently")
    func vectors() throws {
        let code = try Self.counting()
        #expect(code.text == "aaaqeayeaudaocajbifqydio")
        #expect(code.id == "df6782bfb6ee47ad181ac1305ad548a877833e0bf580f33b313d13f4ae3af629")
        let key = try code.key()
        #expect(key.withUnsafeBytes { Hex.encode($0) }
            == "9fbda75452dee4d65e5a335a81913ccc5a6c03a68e5b857a50a9d5e49af10267")
        let draft = IntakeDraft(code: code, options: try GlobalOptions.parse([]))
        #expect(draft.codeLine == "aaaq eaye auda ocaj bifq ydio s")
    }

    @Test("a typed code is read as a person types it; typos are named")
    func typing() throws {
        let code = try Self.counting()
        for typed in [
            "aaaq eaye auda ocaj bifq ydio s", "AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-S", "  aaaqeayeaudaocajbifqydios\n",
            "aaaq eaye auda ocaj bifq ydio",
        ] {
            guard case .success(let parsed) = IntakeDraft.parse(typed) else {
                Issue.record("\(typed) was refused")
                continue
            }
            #expect(parsed.id == code.id)
        }
        #expect(IntakeDraft.parse("aaaq eaye auda ocaj bifq ydio t").failure == .check)
        // Two neighbours swapped.
        #expect(IntakeDraft.parse("aaaq eaye auda ocaj bifq ydoi s").failure == .check)
        #expect(IntakeDraft.parse("aaaq eaye auda ocaj bifq yd s").failure == .length(found: 23))
        #expect(IntakeDraft.parse("aaaq eaye auda ocaj bifq yd1o s").failure == .character("1", position: 23))
    }

    @Test("fresh codes differ and are 24 base32 letters; the code line has seven groups")
    func freshCodes() throws {
        let first = try DraftCode.random()
        let second = try DraftCode.random()
        #expect(first.text != second.text)
        #expect(first.text.count == 24 && first.text.allSatisfy { WithdrawalSlip.base32Alphabet.contains($0) })
        let line = IntakeDraft(code: first, options: try GlobalOptions.parse([])).codeLine
        #expect(line.split(separator: " ").map(\.count) == [4, 4, 4, 4, 4, 4, 1])
    }

    @Test("a sealed snapshot opens under its code only, and its size says only the padding bucket")
    func sealing() throws {
        let code = try Self.counting()
        let text = Array(#"{"fields":{"full_name":"Marker-7c1f"},"next":1}"#.utf8)
        let sealed = try text.withUnsafeBytes { raw throws(CryptoError) in try DraftSealing.seal(raw, code: code) }
        #expect(Array(sealed[0..<5]) == Array("AMDR".utf8) + [1])
        #expect(sealed.count == 5 + 24 + 32768 + 16)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("Marker-7c1f"))
        let opened = try DraftSealing.open(sealed, code: code)
        #expect(opened.withUnsafeBytes { Array($0) } == text)
        // Another snapshot of another length in the same bucket: the same size.
        let longer = Array(repeating: UInt8(ascii: "x"), count: 30000)
        #expect(try longer.withUnsafeBytes { raw throws(CryptoError) in try DraftSealing.seal(raw, code: code) }.count
            == sealed.count)
        // Two saves of the same snapshot differ (a fresh nonce each).
        let again = try text.withUnsafeBytes { raw throws(CryptoError) in try DraftSealing.seal(raw, code: code) }
        #expect(again != sealed)

        let stranger = try DraftCode.random()
        #expect(throws: DraftSealing.OpenError.authenticationFailed) { try DraftSealing.open(sealed, code: stranger) }
        for index in [5, 29, sealed.count - 1] {
            var altered = sealed
            altered[index] ^= 1
            #expect(throws: DraftSealing.OpenError.authenticationFailed) { try DraftSealing.open(altered, code: code) }
        }
        var otherVersion = sealed
        otherVersion[4] = 2
        #expect(throws: DraftSealing.OpenError.notADraft) { try DraftSealing.open(otherVersion, code: code) }
        #expect(throws: DraftSealing.OpenError.notADraft) { try DraftSealing.open(Array(sealed[0..<40]), code: code) }
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

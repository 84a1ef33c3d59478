import AmanatProtocol
@testable import amanat
import Testing

/// amanatd's problems in the volunteer's words (``UI/problem(_:)``): every type amanatd sends is put into Russian and
/// Kazakh; English keeps amanatd's detail; a type amanat does not know keeps the detail in every language.
@Suite("amanat: problems in the volunteer's language") struct ProblemTextTests {
    /// Every slug of PROTOCOL.md 4.2 but the admins' rewrap slugs (admins read English).
    static let volunteerSlugs = [
        "invalid-encoding", "invalid-json", "too-deep", "bad-request", "forbidden", "not-found", "unknown-form",
        "method-not-allowed", "request-timeout", "body-too-large", "unsupported-media-type", "headers-too-large",
        "not-an-object", "unknown-field", "missing-field", "wrong-type", "too-long", "too-many-items", "invalid-value",
        "invalid-withdrawal", "withdrawal-refused", "already-withdrawn", "token-refused", "unknown-upload",
        "upload-incomplete", "invalid-attachment", "record-too-large", "internal", "unavailable",
        "too-many-submissions", "too-many-connections", "too-many-in-flight", "storage-full", "file-too-large",
        "too-many-uploads", "mismatching-upload-offset", "inconsistent-upload-length", "length-required",
        "invalid-upload-request",
    ]

    @Test(arguments: volunteerSlugs)
    func everyVolunteerTypeIsTranslated(_ slug: String) {
        let problem = Problem(slug, status: 400, title: "T", detail: "English detail", field: "narrative", limit: 7)
        let text = UI.problem(problem)
        #expect(text.en == "English detail")
        for translated in [text.ru, text.kk] {
            #expect(!translated.contains("English detail") && !translated.isEmpty, "\(slug): \(translated)")
        }
    }

    @Test func membersMakeTheSentence() {
        let tooLong = UI.problem(Problem("too-long", status: 422, title: "", detail: "x", field: "full_name", limit: 200))
        #expect(tooLong.ru == "поле «full_name» длиннее допустимого (наибольшая длина в знаках: 200)")
        #expect(tooLong.kk == "«full_name» өрісі тым ұзын (ең көп таңба саны: 200)")
        let choice = UI.problem(Problem(
            "invalid-value", status: 422, title: "", detail: "x", field: "language", expected: "choice",
            allowed: ["kk", "ru"]
        ))
        #expect(choice.ru.hasSuffix("допустимые значения: kk, ru"))
        #expect(choice.kk.hasSuffix("рұқсат етілген мәндер: kk, ru"))
        let date = UI.problem(Problem("invalid-value", status: 422, title: "", detail: "x", field: "b", expected: "date"))
        #expect(date.ru.contains("ГГГГ-ММ-ДД") && date.kk.contains("ЖЖЖЖ-АА-КК"))
    }

    @Test func controlCharactersFromAmanatdAreNeutralised() {
        let hostile = "a\u{1B}]0;t\u{07}b\u{9B}2J"
        let text = UI.problem(Problem(
            "invalid-value", status: 422, title: "", detail: hostile, field: hostile, expected: "choice",
            allowed: [hostile]
        ))
        for line in [text.en, text.ru, text.kk] {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(line)")
        }
    }

    @Test func anUnknownTypeKeepsTheDetail() {
        let text = UI.problem(Problem("from-a-later-amanatd", status: 418, title: "", detail: "later"))
        #expect(text.en == "later" && text.ru == "later" && text.kk == "later")
    }

    @Test func newMembersSurviveTheWire() {
        let problem = Problem(
            "invalid-value", status: 422, title: "Invalid value", detail: "d", field: "f", limit: 3, expected: "choice",
            allowed: ["a", "b"]
        )
        #expect(Problem(json: problem.json.canonicalBytes()) == problem)
        // One element of the wrong type makes `allowed` absent, as a member of the wrong type is.
        #expect(Problem(json: Array(#"{"allowed": ["a", 1], "limit": "3"}"#.utf8)) == Problem())
    }
}

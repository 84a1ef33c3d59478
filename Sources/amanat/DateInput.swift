import Glibc

/// Dates as volunteers type them. In Kazakhstan and Russia a date is written `15.07.1985` (day, month, year),
/// and a month `07.1985`: both are turned into the form's `1985-07-15` and `1985-07`, and the conversion is
/// shown. A date after today is refused: nobody was born, or detained, tomorrow.
enum DateInput {
    /// `DD.MM.YYYY` or `MM.YYYY` (also with `/`) as `YYYY-MM-DD` or `YYYY-MM`; nil for anything else. Whether the
    /// day exists in that month is left to the form's own check.
    static func iso(fromDotted text: String) -> String? {
        let parts = text.split(omittingEmptySubsequences: false) { $0 == "." || $0 == "/" }
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
            let year = parts.last, year.count == 4, year.allSatisfy(\.isNumber)
        else { return nil }
        func twoDigits(_ part: Substring) -> String? {
            guard (1...2).contains(part.count), part.allSatisfy(\.isNumber) else { return nil }
            return part.count == 1 ? "0" + part : String(part)
        }
        guard let month = twoDigits(parts[parts.count - 2]) else { return nil }
        if parts.count == 2 { return "\(year)-\(month)" }
        guard let day = twoDigits(parts[0]) else { return nil }
        return "\(year)-\(month)-\(day)"
    }

    /// Whether an ISO date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) starts after today, in UTC. A partial date is in the
    /// future only if all of it is: `2026` is not, during 2026.
    static func isFuture(_ iso: String, today: String = today()) -> Bool {
        let shape = iso.map { $0.isASCII && $0.isNumber ? "9" : $0 }
        guard ["9999", "9999-99", "9999-99-99"].contains(String(shape)) else { return false }
        // Fixed-width ISO dates compare as text; compare only as much of today as the date gives.
        return iso > String(today.prefix(iso.count))
    }

    /// Today in UTC as `YYYY-MM-DD`.
    static func today() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let year = Int(parts.tm_year) + 1900
        let month = Int(parts.tm_mon) + 1
        let day = Int(parts.tm_mday)
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(pad(month))-\(pad(day))"
    }
}

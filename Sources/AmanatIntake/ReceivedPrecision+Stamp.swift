import Glibc

extension ReceivedPrecision {
    /// The received stamp for `seconds` since the epoch, in UTC.
    public func stamp(secondsSinceEpoch seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let year = Int(parts.tm_year) + 1900
        let month = Int(parts.tm_mon) + 1
        let day = Int(parts.tm_mday)
        let hour = Int(parts.tm_hour)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        switch self {
        case .month: return "\(yearText)-\(two(month))"
        case .day: return "\(yearText)-\(two(month))-\(two(day))"
        case .hour: return "\(yearText)-\(two(month))-\(two(day))T\(two(hour)):00Z"
        }
    }

    /// The received stamp for now.
    public func stampNow() -> String {
        stamp(secondsSinceEpoch: Int(time(nil)))
    }
}

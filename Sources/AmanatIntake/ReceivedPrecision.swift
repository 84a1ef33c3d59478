/// How precisely the received date of a testimony is stored. Coarser is safer: a precise time can be
/// matched against other records of who came to the office when.
public enum ReceivedPrecision: String, Sendable, CaseIterable {
    /// `2026-11`
    case month
    /// `2026-11-29`, the default.
    case day
    /// `2026-11-29T14:00Z`
    case hour
}

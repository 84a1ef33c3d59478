/// Where a form field's value is stored.
public enum Section: String, Sendable, CaseIterable, Hashable {
    /// Stored unencrypted, for statistics. Only coarse values (enums, booleans) may be clear.
    case clear
    /// What happened: sealed.
    case testimony
    /// Who: sealed, possibly to a smaller set of recipients than the testimony.
    case identity

    /// The sections that are sealed into envelopes, in storage order.
    public static let sealed: [Section] = [.identity, .testimony]
}

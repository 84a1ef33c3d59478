/// What a withdrawal did (``ArchiveWriter/withdraw(_:token:)``).
public enum WithdrawalOutcome: Sendable, Equatable {
    /// The record was erased now.
    case withdrawn
    /// The token is the record's, and the record was withdrawn before: nothing was changed. Only the holder of
    /// the token can get this answer, and that holder may know the record exists.
    case alreadyWithdrawn
    /// A wrong token or an unknown id, alike: nothing was changed, and nothing is told about the id.
    case refused
}

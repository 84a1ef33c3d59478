/// A storage failure. The message names the database file and SQLite's reason, never a bound value.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The distinct failure kinds.
    public enum Kind: Sendable, Equatable {
        /// The database could not be opened or set up.
        case cannotOpen
        /// The file is not an amanat database, or one from a newer version.
        case notAmanatDatabase
        /// The disk (or the filesystem's quota) is full.
        case diskFull
        /// A write failed for another reason.
        case writeFailed
        /// The store was closed.
        case closed
        /// A request named a record the database does not hold.
        case unknownRecord
        /// The database's ledger belongs to another signing key.
        case keyMismatch
        /// A record is not in the state a request expected.
        case recordChanged
        /// An upload named for an attachment does not exist, or belongs to another uid.
        case unknownUpload
        /// An upload named for an attachment has not received all its bytes yet.
        case uploadIncomplete
        /// An upload's length is not the stored size its attachment's metadata says.
        case invalidAttachment
        /// A record would hold more attachments, or more stored bytes, than the limits allow.
        case recordTooLarge
    }

    /// What went wrong.
    public let kind: Kind
    /// A one-line explanation.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

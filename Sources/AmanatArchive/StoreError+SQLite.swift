package import AmanatFormat
import GRDB

extension StoreError {
    /// SQLite's reason without the SQL or its arguments.
    package static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return "\(error)"
    }
}

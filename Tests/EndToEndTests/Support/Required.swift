import Foundation
import Testing

/// Whether these tests run in CI (`CI=true`, set by whatever calls .ci/run), where a test that cannot run is a
/// failure: a skipped suite would leave what it covers untested without anyone noticing.
enum ContinuousIntegration {
    static let active: Bool = ["true", "1", "yes"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased())
}

/// Thrown by `.required(_:_:)`'s condition in CI, so that the test is recorded as failed with the reason.
struct RequirementMissing: Error, CustomStringConvertible {
    let reason: String
    var description: String { "CI must run this test, but it cannot run here: \(reason)" }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where `condition` holds. A developer's machine that lacks it skips the test with
    /// `reason` in the output; in CI the test fails with `reason` instead, since make test installs what
    /// the test needs (scripts/deps.sh) and CI runs as root.
    static func required(
        _ condition: @autoclosure @escaping @Sendable () -> Bool,
        _ reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Self {
        .enabled(Comment(rawValue: reason), sourceLocation: sourceLocation) {
            if condition() { return true }
            if ContinuousIntegration.active { throw RequirementMissing(reason: reason) }
            return false
        }
    }
}

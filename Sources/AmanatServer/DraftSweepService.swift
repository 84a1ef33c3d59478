public import AmanatIntake
public import ServiceLifecycle

/// Removes expired drafts every minute, or every `draft_expiry_seconds` when that is shorter, so that a draft outlives
/// its expiry by at most that much (a read never returns an expired one). The draft store sweeps once as it opens. It
/// logs nothing per draft: a line per removal would tell when a volunteer stopped an interview.
public struct DraftSweepService: Service {
    private let core: IntakeCore
    private let interval: Duration

    /// A sweep of `core`'s drafts every `interval`.
    public init(core: IntakeCore, interval: Duration) {
        self.core = core
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                await core.sweepDrafts()
            }
        }
    }
}

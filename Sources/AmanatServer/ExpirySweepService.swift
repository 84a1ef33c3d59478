public import ServiceLifecycle

/// Removes what expired, by calling `sweep` every interval: unfinished uploads (`upload_expiry_seconds`) and guided
/// intakes' drafts (`draft_expiry_seconds`), each with its own service. Each interval is a minute, or the expiry when
/// that is shorter, so that nothing outlives its expiry by more; amanatd sweeps once at start before serving. It logs
/// nothing per removal: a line per removed upload or draft would tell when a volunteer stopped working.
public struct ExpirySweepService: Service {
    private let interval: Duration
    private let sweep: @Sendable () async -> Void

    /// A service that calls `sweep` every `interval`.
    public init(interval: Duration, sweep: @escaping @Sendable () async -> Void) {
        self.interval = interval
        self.sweep = sweep
    }

    /// The interval for an expiry of `expirySeconds`: a minute, or the expiry if shorter.
    public static func interval(expirySeconds: Int) -> Duration {
        .seconds(min(60, max(1, expirySeconds)))
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                await sweep()
            }
        }
    }
}

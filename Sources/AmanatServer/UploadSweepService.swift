public import AmanatIntake
public import ServiceLifecycle

/// Removes expired uploads (row and file) every minute, or every `upload_expiry_seconds` when that is shorter, so
/// that an abandoned upload outlives its expiry by at most that much. amanatd sweeps once at start before serving.
/// It logs nothing per upload: a line per removal would tell when a volunteer stopped working.
public struct UploadSweepService: Service {
    private let core: IntakeCore
    private let interval: Duration

    /// A sweep of `core`'s uploads every `interval`.
    public init(core: IntakeCore, interval: Duration) {
        self.core = core
        self.interval = interval
    }

    /// The interval for an expiry of `expirySeconds`: a minute, or the expiry if shorter.
    public static func interval(expirySeconds: Int) -> Duration {
        .seconds(min(60, max(1, expirySeconds)))
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                await core.sweepUploads()
            }
        }
    }
}

public import AmanatIntake
public import AmanatStore
public import Logging
public import ServiceLifecycle

/// Every `interval`: signs the last record's ledger entry once its received period is over, logs the intake's
/// counts for each period that is over, sets the times of the stored evidence files once a period is over
/// (``IntakeCore/blurStoredFileTimes()``), and retries WAL purges that failed after an erasure
/// (``RecordStore/runPurgeRetries()`` retries them sooner too).
///
/// Nothing here happens at a time that would date a record: a checkpoint signed on a timer within a period would
/// tell which of its records came before that minute (FORMAT.md section 12.5), and a count logged within it would
/// tell how many (SECURITY.md). The writer signs the other checkpoints itself, every 100 entries and where the
/// received period changes.
public struct CheckpointService: Service {
    private let store: RecordStore
    private let core: IntakeCore
    private let interval: Duration
    private let logger: Logger

    /// A service for `store` and `core`, looking every `interval` (60 seconds by default).
    public init(store: RecordStore, core: IntakeCore, interval: Duration = .seconds(60), logger: Logger) {
        self.store = store
        self.core = core
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await store.runPurgeRetries() }
                var period = core.currentPeriod().stamp
                while (try? await Task.sleep(for: interval)) != nil {
                    let now = core.currentPeriod().stamp
                    if now != period {
                        // The period's stored files then all carry its end as their change time, nothing finer.
                        await core.blurStoredFileTimes()
                        period = now
                    }
                    await store.retryPendingPurge()
                    do {
                        try await store.signEndedPeriod(currentPeriod: core.currentPeriod().stamp)
                    } catch {
                        logger.warning("signing a checkpoint failed", metadata: ["error": "\(error)"])
                    }
                    core.logEndedPeriods()
                    logger.debug("checkpoint timer ran")
                }
                group.cancelAll()
            }
        }
    }
}

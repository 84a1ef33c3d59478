public import AmanatStore
public import Logging
public import ServiceLifecycle

/// Signs a ledger checkpoint every `interval` when entries were added since the last one. The writer signs
/// one itself after every 100 entries, so no entry stays unsigned longer than either bound. It also retries
/// WAL purges that failed after an erasure (``RecordStore/runPurgeRetries()``), on each tick and sooner.
public struct CheckpointService: Service {
    private let store: RecordStore
    private let interval: Duration
    private let logger: Logger

    /// A service signing `store`'s head every `interval` (60 seconds by default).
    public init(store: RecordStore, interval: Duration = .seconds(60), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await store.runPurgeRetries() }
                while (try? await Task.sleep(for: interval)) != nil {
                    await store.retryPendingPurge()
                    do {
                        try await store.signCheckpoint()
                    } catch {
                        logger.warning("signing a checkpoint failed", metadata: ["error": "\(error)"])
                    }
                }
                group.cancelAll()
            }
        }
    }
}

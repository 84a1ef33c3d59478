import Glibc
import NIOCore
import NIOPosix
public import ServiceLifecycle

/// Sends `WATCHDOG=1` every half `WATCHDOG_USEC`, as long as the event loops answer: a daemon whose loops
/// are stuck stops pinging and systemd restarts it.
public struct WatchdogService: Service {
    private let notifier: SystemdNotifier
    private let interval: Duration?

    /// A watchdog configured from `WATCHDOG_USEC` (and `WATCHDOG_PID`, when set, must be this process).
    public init(notifier: SystemdNotifier = SystemdNotifier()) {
        self.notifier = notifier
        let pidMatches = getenv("WATCHDOG_PID").map { Int32(String(cString: $0)) == getpid() } ?? true
        if pidMatches, let text = getenv("WATCHDOG_USEC").map({ String(cString: $0) }), let usec = Int64(text),
            usec > 0
        {
            interval = .microseconds(usec / 2)
        } else {
            interval = nil
        }
    }

    public func run() async throws {
        guard let interval else {
            // Returning early would end the whole service group.
            try? await gracefulShutdown()
            return
        }
        let loops = MultiThreadedEventLoopGroup.singleton
        let notifier = self.notifier
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // A round trip through every event loop proves they still run.
                for loop in loops.makeIterator() {
                    try await loop.submit {}.get()
                }
                notifier.notify("WATCHDOG=1")
                try await Task.sleep(for: interval)
            }
        }
    }
}

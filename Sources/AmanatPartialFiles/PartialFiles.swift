import Glibc
import Synchronization

/// Files and directories being written that neither a failure nor an interruption may leave half done: the
/// output of `amanat export`, and `amanat-keyholder open --out`, whose partial file would hold decrypted
/// testimonies that the person running it believes were never written.
///
/// Each path is registered as it is created. ``removeAll()`` removes them on a failure; on SIGINT, SIGTERM or
/// SIGHUP a handler removes them (unlink(2) and rmdir(2) are async-signal-safe), then dies of the same signal
/// as it would have. ``keep()`` ends the watch once the output is complete.
public enum PartialFiles {
    /// One registered path: a list that the handler walks without allocating or taking a lock.
    private struct Node {
        let path: UnsafeMutablePointer<CChar>
        let isDirectory: Bool
        let next: UnsafeMutablePointer<Node>?
    }

    /// The newest path first, so that a directory's files are removed before the directory itself.
    /// Atomic, so shared safely across threads and with the handler; only its pointee type is not Sendable.
    nonisolated(unsafe) private static let newest = Atomic<UnsafeMutablePointer<Node>?>(nil)
    private static let installed = Atomic<Bool>(false)
    private static let signals = [SIGINT, SIGTERM, SIGHUP]

    /// Removes the file at `path` (or, with `isDirectory`, the then empty directory) on a failure or a signal,
    /// until ``keep()``. Register only what this process created.
    public static func register(_ path: String, isDirectory: Bool = false) {
        let node = UnsafeMutablePointer<Node>.allocate(capacity: 1)
        var head = newest.load(ordering: .acquiring)
        while true {
            node.initialize(to: Node(path: strdup(path), isDirectory: isDirectory, next: head))
            let (exchanged, original) = newest.compareExchange(expected: head, desired: node, ordering: .acquiringAndReleasing)
            if exchanged { break }
            free(node.pointee.path)
            node.deinitialize(count: 1)
            head = original
        }
        guard !installed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                PartialFiles.remove(PartialFiles.newest.exchange(nil, ordering: .acquiringAndReleasing), freeing: false)
                Glibc.signal(signal, SIG_DFL)
                raise(signal)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// Removes every registered path, newest first, and ends the watch: for a failure, just before exiting.
    public static func removeAll() {
        remove(newest.exchange(nil, ordering: .acquiringAndReleasing), freeing: true)
        restoreSignals()
    }

    /// The output is complete (or already removed): it stays, and signals act as before.
    public static func keep() {
        restoreSignals()
        remove(newest.exchange(nil, ordering: .acquiringAndReleasing), unlinking: false, freeing: true)
    }

    /// Removes the paths from `node` on, and frees the nodes. Whoever exchanged the list out of ``newest`` owns it:
    /// a handler on another thread then finds none. In a signal handler only unlink(2) and rmdir(2) run.
    private static func remove(_ node: UnsafeMutablePointer<Node>?, unlinking: Bool = true, freeing: Bool) {
        var node = node
        while let current = node {
            if unlinking {
                if current.pointee.isDirectory { rmdir(current.pointee.path) } else { unlink(current.pointee.path) }
            }
            node = current.pointee.next
            if freeing {
                free(current.pointee.path)
                current.deinitialize(count: 1)
                current.deallocate()
            }
        }
    }

    private static func restoreSignals() {
        guard installed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        for signal in signals { Glibc.signal(signal, SIG_DFL) }
    }
}

import Glibc
import Synchronization

/// Files and directories being written that neither a failure nor an interruption may leave half done: the
/// output of `amanat export`, and `amanat-keyholder open --out`, whose partial file would hold decrypted
/// testimonies that the person running it believes were never written.
///
/// Each path is registered as it is created (``create(_:isDirectory:_:)``). ``removeAll()`` removes them on a
/// failure; on SIGINT, SIGTERM, SIGHUP or SIGPIPE (a closed pipe on standard error) a handler removes them
/// (unlink(2) and rmdir(2) are async-signal-safe), then dies of the same signal as it would have. ``keep()`` ends
/// the watch once the output is complete.
///
/// One removal at a time, finished before the process ends: a second signal (Ctrl-C pressed twice, SIGTERM after
/// SIGHUP), on the same thread or another, waits for the first removal, which ends the process, instead of ending
/// it part way through the files; and a handler waits for a path being created on another thread to join the
/// list, after which no path is created.
public enum PartialFiles {
    /// One registered path: a list that the handler walks without allocating or taking a lock.
    private struct Node {
        let path: UnsafeMutablePointer<CChar>
        let isDirectory: Bool
        let next: UnsafeMutablePointer<Node>?
    }

    /// Who owns the list, beside registering: nobody (``watching``); a handler (``removing``: it ends the process
    /// once the removal is done); ``removeAll()`` (``failing``, then ``failed``: its caller exits); or ``keep()``
    /// (``keeping``: the output stays). Computed, not stored: a handler must not be the first to touch a lazily
    /// initialised static.
    private static var watching: Int { 0 }
    private static var removing: Int { 1 }
    private static var keeping: Int { 2 }
    private static var failing: Int { 3 }
    private static var failed: Int { 4 }
    private static let state = Atomic<Int>(0)

    /// The newest path first, so that a directory's files are removed before the directory itself.
    /// Atomic, so shared safely across threads and with the handler; only its pointee type is not Sendable.
    nonisolated(unsafe) private static let newest = Atomic<UnsafeMutablePointer<Node>?>(nil)
    private static let installed = Atomic<Bool>(false)

    /// Creations under way (``create(_:isDirectory:_:)``): a handler waits for them before it takes the list.
    private static let creating = Atomic<Int>(0)

    /// Creates the file or directory at `path` with `make` (open(2) or mkdir(2): non-negative when it created it,
    /// errno set otherwise) and registers it, so that a failure or a signal removes it (the directory once empty)
    /// until ``keep()``; `make`'s result and the errno it left. No signal comes between the creation and the
    /// registration: the watched signals are held on this thread meanwhile, and a handler on another thread waits
    /// for the registration (or, once it is removing, no creation starts).
    public static func create(
        _ path: String, isDirectory: Bool = false, _ make: () -> Int32
    ) -> (result: Int32, error: Int32) {
        // Allocated before the creation: between it and the registration nothing may take a lock (malloc's) that a
        // thread interrupted by a handler waiting for this creation could hold.
        let path = strdup(path)!
        let node = UnsafeMutablePointer<Node>.allocate(capacity: 1)
        var previous = blockWatchedSignals()
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        creating.add(1, ordering: .sequentiallyConsistent)
        let now = state.load(ordering: .sequentiallyConsistent)
        if now != watching && now != keeping {
            // Another thread is removing the files, and ends the process: nothing more is made.
            creating.subtract(1, ordering: .sequentiallyConsistent)
            while true { pause() }
        }
        let result = make()
        let error = errno
        if result >= 0 { register(node, path: path, isDirectory: isDirectory) }
        creating.subtract(1, ordering: .sequentiallyConsistent)
        if result < 0 {
            node.deallocate()
            free(path)
        }
        return (result, error)
    }

    /// Links `node` for `path` into the list, and installs the handler the first time; allocates nothing.
    private static func register(_ node: UnsafeMutablePointer<Node>, path: UnsafeMutablePointer<CChar>, isDirectory: Bool) {
        var head = newest.load(ordering: .acquiring)
        while true {
            node.initialize(to: Node(path: path, isDirectory: isDirectory, next: head))
            let (exchanged, original) = newest.compareExchange(expected: head, desired: node, ordering: .acquiringAndReleasing)
            if exchanged { break }
            node.deinitialize(count: 1)
            head = original
        }
        guard !installed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            // Only atomics on statics already initialised (create used them before installing this), unlink,
            // rmdir, signal, pause, sched_yield and raise run here: no allocation, no lock.
            let (owner, now) = PartialFiles.state.compareExchange(
                expected: PartialFiles.watching, desired: PartialFiles.removing, ordering: .sequentiallyConsistent
            )
            if !owner && now == PartialFiles.removing {
                // Another handler is removing the files and will end the process: die then, not before it is done.
                while true { pause() }
            }
            // removeAll() is removing them on another thread: die once it is done (its thread takes no lock that
            // the code this interrupted may hold, and this thread holds none while it waits).
            while !owner && PartialFiles.state.load(ordering: .sequentiallyConsistent) == PartialFiles.failing {
                sched_yield()
            }
            if owner {
                // A path being created on another thread joins the list first; none is created after this.
                while PartialFiles.creating.load(ordering: .sequentiallyConsistent) != 0 {}
                PartialFiles.remove(PartialFiles.newest.exchange(nil, ordering: .acquiringAndReleasing), freeing: false)
            }
            // Every watched signal back to its default, so that one still pending (blocked while this ran) ends the
            // process too rather than wait in a handler; this one is blocked until the handler returns.
            PartialFiles.defaultSignals()
            raise(signal)
        }
        // No watched signal interrupts the handler on its own thread.
        withWatchedSignals { sigaddset(&action.sa_mask, $0) }
        withWatchedSignals { sigaction($0, &action, nil) }
    }

    /// Removes every registered path, newest first: for a failure, just before exiting, which the caller must do
    /// (a ``create(_:isDirectory:_:)`` on another thread then waits for the exit). The watched signals stay
    /// blocked on the calling thread, so that none ends the process part way through the removal; a signal taken
    /// on another thread meanwhile ends the process once the removal is done, and a handler already removing is
    /// waited for, and ends the process. Nothing is freed: a handler waiting on another thread may have
    /// interrupted malloc.
    public static func removeAll() {
        guard installed.load(ordering: .acquiring) else { return }
        blockWatchedSignals()
        let (owner, now) = state.compareExchange(
            expected: watching, desired: failing, ordering: .sequentiallyConsistent
        )
        guard owner || now == keeping else {
            // A handler, or removeAll() on another thread, is removing the files, and ends the process.
            while true { pause() }
        }
        // A path being created on another thread joins the list first; none is created after this.
        while creating.load(ordering: .sequentiallyConsistent) != 0 {}
        remove(newest.exchange(nil, ordering: .acquiringAndReleasing), freeing: false)
        state.store(failed, ordering: .sequentiallyConsistent)
    }

    /// The output is complete (or already removed): it stays, and signals act as before.
    public static func keep() {
        guard installed.load(ordering: .acquiring) else { return }
        let previous = blockWatchedSignals()
        let (owner, now) = state.compareExchange(
            expected: watching, desired: keeping, ordering: .sequentiallyConsistent
        )
        if !owner && now != keeping {
            // Another thread is removing the output, and ends the process.
            while true { pause() }
        }
        installed.store(false, ordering: .releasing)
        defaultSignals()
        remove(newest.exchange(nil, ordering: .acquiringAndReleasing), unlinking: false, freeing: true)
        state.store(watching, ordering: .sequentiallyConsistent)
        // A signal that arrived meanwhile now has its default effect.
        var mask = previous
        pthread_sigmask(SIG_SETMASK, &mask, nil)
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

    /// Calls `body` with each watched signal: written out, so that a handler reads no array.
    private static func withWatchedSignals(_ body: (Int32) -> Void) {
        body(SIGINT)
        body(SIGTERM)
        body(SIGHUP)
        body(SIGPIPE)
    }

    /// Each watched signal to its default action; async-signal-safe.
    private static func defaultSignals() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        signal(SIGHUP, SIG_DFL)
        signal(SIGPIPE, SIG_DFL)
    }

    /// Blocks the watched signals on the calling thread; the mask before.
    @discardableResult
    private static func blockWatchedSignals() -> sigset_t {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        withWatchedSignals { sigaddset(&blocked, $0) }
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        return previous
    }
}

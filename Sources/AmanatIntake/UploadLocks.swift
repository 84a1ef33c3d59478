import Synchronization

/// Which uploads a request is working on now, one request per upload at a time. A request that finds another one
/// writing the upload ends it first (``acquire(_:interrupt:)`` calls the writer's `interrupt`, which closes its
/// connection) and waits until that writer has made what it received durable: then an offset read is the one a
/// client can resume from. A client that resumes after its link broke would otherwise find its old connection,
/// not yet noticed dead, still holding the upload.
final class UploadLocks: Sendable {
    private struct Holder {
        /// Ends the holder's transfer; nil for a holder that only reads or removes, which is waited for.
        var interrupt: (@Sendable () -> Void)?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let holders = Mutex<[UploadID: Holder]>([:])

    /// Holds `id` for the caller, once no other request does. `interrupt` ends the caller's transfer if another
    /// request needs the upload meanwhile; without one, the caller is waited for.
    func acquire(_ id: UploadID, interrupt: (@Sendable () -> Void)?) async {
        while true {
            let current = holders.withLock { holders -> (@Sendable () -> Void)?? in
                guard let holder = holders[id] else {
                    holders[id] = Holder(interrupt: interrupt)
                    return .none
                }
                return .some(holder.interrupt)
            }
            guard case .some(let holderInterrupt) = current else { return }
            holderInterrupt?()
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let queued = holders.withLock { holders in
                    guard holders[id] != nil else { return false }
                    holders[id]!.waiters.append(waiter)
                    return true
                }
                if !queued { waiter.resume() }
            }
        }
    }

    /// Lets the next request have `id`.
    func release(_ id: UploadID) {
        let waiters = holders.withLock { holders in holders.removeValue(forKey: id)?.waiters ?? [] }
        for waiter in waiters { waiter.resume() }
    }

    /// The uploads held now: the expiry sweep leaves them alone.
    var held: Set<UploadID> {
        holders.withLock { Set($0.keys) }
    }
}

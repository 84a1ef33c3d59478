import AmanatCrypto
import AmanatFormat
import Foundation

/// Where the writer stage puts an extracted file's bytes: an ``OutputSink`` on a new file (tests put one in front
/// of it that fails).
protocol ExtractedFile: AnyObject {
    /// Writes `bytes`, which live in protected memory, without copying them into an ordinary buffer.
    func write(unbuffered bytes: UnsafeRawBufferPointer) throws(OutputSink.Failure)
    /// Finishes the file (fsync, close).
    func close() throws(OutputSink.Failure)
    /// Closes and removes the file: its content turned out wrong, or could not all be written.
    func discard()
}

extension OutputSink: ExtractedFile {}

/// The second stage of an extraction: a thread of its own that hashes and writes the file's bytes that the calling
/// thread decrypted, so that decryption (libsodium) and hashing plus the kernel's copy into the page cache run on
/// two cores at once.
///
/// The plaintext only ever lives in a small pool of ``SecretBytes`` buffers (`sodium_malloc`, wiped when freed):
/// the calling thread takes a free buffer (``take()``), decrypts chunks into it and hands it over (``submit(_:)``);
/// this thread hashes and writes it, then gives it back. The pool bounds the memory: at most ``bufferCount``
/// buffers of ``bufferBytes`` exist, whatever the file's size. A write that fails is kept and thrown to the calling
/// thread at its next ``take()`` or at ``finish()``; from then on the buffers come back unwritten.
///
/// Every path out of an extraction must end with ``finish()`` or ``stop()``: both return only once the thread has
/// ended, so that no thread writes to a file that is being removed.
final class ExtractionWriter: @unchecked Sendable {
    /// A buffer of the pool, and how many of its bytes are the file's.
    struct Filled {
        let index: Int
        let count: Int
    }

    /// Buffers in the pool: one being filled, one being written, and slack so that neither stage waits on the
    /// other's jitter.
    static let bufferCount = 4
    /// Four chunks per buffer: one hand-off per 256 KiB keeps the locking negligible next to the crypto.
    static let bufferBytes = 4 * FileStreamLayout.chunkBytes

    /// The pool: only the calling thread writes into a buffer it took, only the writer thread reads one submitted.
    let buffers: [SecretBytes]
    /// The size of each buffer: ``bufferBytes``, or less for a stream that is smaller.
    let capacity: Int
    private let file: any ExtractedFile
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var free: [Int]
    private var full: [Filled] = []
    private var headOfFull = 0
    private var ended = false
    private var stopped = false
    private var running = true
    private var failure: OutputSink.Failure?
    private var digest: [UInt8]?

    /// Allocates the pool for a stream of `chunkCount` chunks, `paddedSize` plaintext bytes in all, and starts the
    /// thread that writes to `file`. A small file gets as few and as small buffers as it needs: there may be many.
    init(file: any ExtractedFile, chunkCount: UInt64, paddedSize: UInt64) throws(CryptoError) {
        capacity = Int(min(UInt64(Self.bufferBytes), paddedSize))
        var buffers: [SecretBytes] = []
        for _ in 0..<min(UInt64(Self.bufferCount), max(chunkCount, 1)) {
            buffers.append(try SecretBytes(count: capacity))
        }
        self.buffers = buffers
        self.file = file
        free = Array(buffers.indices)
        Thread { [self] in run() }.start()
    }

    /// A free buffer of the pool, waiting for the writer to give one back. Throws the writer's failure, if any.
    func take() throws(OutputSink.Failure) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty && failure == nil { condition.wait() }
        if let failure { throw failure }
        return free.removeLast()
    }

    /// Hands `buffer` over to be hashed and written, in the order of the calls.
    func submit(_ buffer: Filled) {
        condition.withLock {
            full.append(buffer)
            condition.broadcast()
        }
    }

    /// After the last ``submit(_:)``: waits until everything is written and the thread has ended, then returns the
    /// SHA-256 of the bytes written, or throws the write's failure. The file is not closed here.
    func finish() throws(OutputSink.Failure) -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        ended = true
        condition.broadcast()
        while running { condition.wait() }
        if let failure { throw failure }
        return digest ?? []
    }

    /// Stops the thread without writing what is still queued, and waits until it has ended; the failure of a write,
    /// if one failed. Safe to call more than once, and after ``finish()``.
    @discardableResult
    func stop() -> OutputSink.Failure? {
        condition.lock()
        defer { condition.unlock() }
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        return failure
    }

    /// The writer thread: takes submitted buffers in order until ``finish()`` or ``stop()``.
    private func run() {
        var hash = SHA256()
        var failed = false
        while let buffer = next() {
            if !failed {
                do throws(OutputSink.Failure) {
                    try buffers[buffer.index].withUnsafeBytes { (bytes) throws(OutputSink.Failure) in
                        let fileBytes = UnsafeRawBufferPointer(rebasing: bytes[0..<buffer.count])
                        hash.update(fileBytes)
                        try file.write(unbuffered: fileBytes)
                    }
                } catch {
                    failed = true
                    condition.withLock { failure = error }
                }
            }
            condition.withLock {
                free.append(buffer.index)
                condition.broadcast()
            }
        }
        let result = failed ? nil : hash.finalize()
        condition.withLock {
            digest = result
            running = false
            condition.broadcast()
        }
    }

    /// The next submitted buffer; nil once stopped, or ended with nothing left.
    private func next() -> Filled? {
        condition.lock()
        defer { condition.unlock() }
        while headOfFull == full.count && !ended && !stopped { condition.wait() }
        guard !stopped, headOfFull < full.count else { return nil }
        let buffer = full[headOfFull]
        headOfFull += 1
        if headOfFull == full.count {
            full.removeAll(keepingCapacity: true)
            headOfFull = 0
        }
        return buffer
    }
}

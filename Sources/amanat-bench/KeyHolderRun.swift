import Foundation
import Glibc
import Synchronization

/// Times the real `amanat-keyholder open` on an archive, reading its output through a pipe as a consumer
/// would (and counting the records in it).
enum KeyHolderRun {
    struct Result {
        var records: Int
        /// From start to exit.
        var totalSeconds: Double
        /// From the first output byte (the keys are unlocked by then) to the end of output.
        var streamingSeconds: Double
        var cpuSeconds: Double
        /// CPU seconds from the first output byte to the end: the record streaming alone.
        var streamingCPUSeconds: Double?
        /// The whole run, including the Argon2id key unlock: VmHWM just before it is reset, or ru_maxrss if larger.
        var peakRSS: Int
        /// VmHWM reset when the first record came out, sampled until the end: the record streaming alone.
        /// (Not ru_maxrss: it also keeps the high-water mark of any thread that exited before the reset.)
        var streamingPeakRSS: Int?
        var exitCode: Int32

        var recordsPerSecond: Double { Double(records) / streamingSeconds }
    }

    /// `pinning`: the site key to verify against and the heads file to use (`open` needs a pinned key).
    static func run(
        binary: String, archive: String, key: String, passphraseFile: String, pinning: [String], stderrPath: String
    ) throws -> Result {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw BenchError("pipe failed") }
        // Close-on-exec: the child gets the write end as its stdout through dup2 only.
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let errorFD = try openForWriting(stderrPath)
        let start = now()
        let child: ChildProcess
        do {
            child = try ChildProcess(
                binary, ["open", archive, "--key", key, "--passphrase-file", passphraseFile] + pinning,
                stdout: pipeFDs[1], stderr: errorFD
            )
        } catch {
            close(pipeFDs[0])
            close(pipeFDs[1])
            close(errorFD)
            throw error
        }
        close(pipeFDs[1])
        close(errorFD)
        let pid = child.pid

        // Samples VmHWM until the output ends: after the process exits /proc no longer has it.
        let streamingPeak = Mutex<Int?>(nil)
        let outputEnded = Atomic<Bool>(false)
        let firstByte = Atomic<Bool>(false)
        let sampler = DispatchGroup()
        sampler.enter()
        Thread {
            defer { sampler.leave() }
            var timeout = timespec(tv_sec: 0, tv_nsec: 10_000_000)
            while !outputEnded.load(ordering: .acquiring) {
                if firstByte.load(ordering: .acquiring), let peak = ProcStats.peakRSS(pid) {
                    streamingPeak.withLock { $0 = max($0 ?? 0, peak) }
                }
                nanosleep(&timeout, nil)
            }
        }.start()

        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var lines = 0
        var firstByteTime: Double?
        var unlockPeak = 0
        var cpuAtFirstByte: Double?
        while true {
            let n = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            if firstByteTime == nil {
                firstByteTime = now()
                // From here on VmHWM is the peak of streaming records, not of the Argon2id unlock before it.
                unlockPeak = ProcStats.peakRSS(pid) ?? 0
                cpuAtFirstByte = ProcStats.cpuSeconds(pid)
                ProcStats.resetPeakRSS(pid)
                firstByte.store(true, ordering: .releasing)
            }
            for byte in buffer[0..<n] where byte == UInt8(ascii: "\n") { lines += 1 }
        }
        let outputEnd = now()
        outputEnded.store(true, ordering: .releasing)
        close(pipeFDs[0])
        let (status, usage) = child.wait()
        let end = now()
        sampler.wait()
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return Result(
            records: lines, totalSeconds: end - start, streamingSeconds: outputEnd - (firstByteTime ?? start),
            cpuSeconds: cpu, streamingCPUSeconds: cpuAtFirstByte.map { cpu - $0 }, peakRSS: max(unlockPeak, usage.ru_maxrss * 1024), streamingPeakRSS: streamingPeak.withLock { $0 },
            exitCode: ChildProcess.exitCode(status)
        )
    }
}

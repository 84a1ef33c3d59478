import Glibc

/// Runs code with the calling thread's filesystem uid set to nobody's, so that root's file permission checks
/// are a stranger's. Linux keeps the filesystem uid per thread and setfsuid(2) changes only the calling
/// thread's (glibc does not broadcast it as it does setuid), and leaving uid 0 drops CAP_DAC_OVERRIDE and the
/// other filesystem capabilities from that thread until it returns: other tests running meanwhile are
/// unaffected. Not root, the thread already is a stranger to root's files and `body` runs unchanged.
enum FilesystemIdentity {
    static let nobody: UInt32 = 65_534

    /// setfsuid(2), which the Glibc module does not import (sys/fsuid.h).
    private static let setfsuid: @convention(c) (UInt32) -> Int32 = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setfsuid") else {
            fatalError("libc has no setfsuid")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UInt32) -> Int32).self)
    }()

    /// Calls `body` synchronously on this thread as nobody (when root), then restores uid 0.
    static func asNobody<T>(_ body: () throws -> T) throws -> T {
        guard geteuid() == 0 else { return try body() }
        _ = setfsuid(nobody)
        // setfsuid reports no errors; it returns the previous value, so a second call tells what it is now.
        guard setfsuid(nobody) == Int32(nobody) else { throw POSIXFailure(operation: "setfsuid") }
        defer {
            _ = setfsuid(0)
            precondition(setfsuid(0) == 0, "could not restore filesystem uid 0")
        }
        return try body()
    }
}

import Foundation
import Glibc
import Testing

/// `amanat export` writes a new file as the snapshot streams in; interrupted, it must not leave a partial one.
@Suite("interrupted export") struct ExportInterruptTests {
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalMidTransferRemovesThePartialFile(_ signal: Int32) throws {
        let directory = try TempDir()
        let socketPath = directory.file("stall.sock")
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        try #require(withUnixAddress(socketPath, { bind(listener, $0, $1) }) == 0 && listen(listener, 1) == 0)
        // A stand-in for amanatd that promises a large snapshot, sends the first kilobyte and then holds the
        // connection open: the client is mid-transfer, with a partial file on disk, until it is signalled.
        let requested = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            defer { finished.signal() }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            var head: [UInt8] = []
            while !head.contains(bytes: Array("\r\n\r\n".utf8)) {
                let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress!, $0.count, 0) }
                guard n > 0 else { return }
                head += buffer[0..<n]
            }
            let response = Array(
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.sqlite3\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n".utf8
            ) + [UInt8](repeating: 0x53, count: 1024)
            _ = response.withUnsafeBytes { send(connection, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            requested.signal()
            // Until the client is gone.
            while buffer.withUnsafeMutableBytes({ recv(connection, $0.baseAddress!, $0.count, 0) }) > 0 {}
        }.start()

        let out = directory.file("export.sqlite")
        let scratch = try TempDir()
        let pid = try spawn(
            Paths.binary("amanat"), ["export", "--socket", socketPath, "--out", out],
            environment: [:], stdin: "/dev/null", stdout: try scratch.write("stdout", []),
            stderr: try scratch.write("stderr", [])
        )
        // The request arrived: the file exists (it is created before connecting) and the transfer is under way.
        #expect(requested.wait(timeout: .now() + 60) == .success)
        #expect(FileManager.default.fileExists(atPath: out))
        // The signal must land mid-transfer, with bytes in the file, not before the first write: wait, on inotify's
        // modify events for the file, until the client has written the kilobyte it was sent.
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        try #require(watch >= 0 && inotify_add_watch(watch, out, UInt32(IN_MODIFY)) >= 0)
        defer { close(watch) }
        func written() -> Int { ((try? FileManager.default.attributesOfItem(atPath: out))?[.size] as? Int) ?? 0 }
        let deadline = Date().addingTimeInterval(60)
        var events = [UInt8](repeating: 0, count: 4096)
        while written() < 1024 && Date() < deadline {
            var ready = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, 1000) > 0 { _ = events.withUnsafeMutableBytes { read(watch, $0.baseAddress, $0.count) } }
        }
        try #require(written() >= 1024, "the client never wrote the first kilobyte")
        kill(pid, signal)
        let status = waitForExit(pid, seconds: 60)
        #expect(status.map { $0 & 0x7F } == signal, "it dies of the signal, as an interrupted command should")
        #expect(!FileManager.default.fileExists(atPath: out), "no partial export is left behind")
        #expect(finished.wait(timeout: .now() + 60) == .success)
    }
}

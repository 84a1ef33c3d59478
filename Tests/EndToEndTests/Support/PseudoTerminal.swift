import Foundation
import Glibc

/// A real binary running on a fresh pseudo-terminal, driven like a volunteer at a keyboard.
///
/// The child is a session leader whose controlling terminal is the pty slave (stdin, stdout and stderr), so
/// Ctrl-C written to the master reaches it as SIGINT through the line discipline. The test waits for output,
/// never for time: each `expect` reads the master until the text appears (or the child exits, or a generous
/// deadline passes, which is a failure).
final class PseudoTerminal: @unchecked Sendable {
    let master: Int32
    let pid: pid_t
    /// Everything the child wrote (and the terminal echoed) so far.
    private(set) var output: [UInt8] = []
    /// Where the next `expect` starts looking.
    private var cursor = 0
    private var childClosed = false
    private var exitStatus: Int32?

    init(
        _ binary: String, _ arguments: [String], environment: [String: String], directory: String, columns: UInt16 = 80
    ) throws {
        let posixOpenpt = try libc("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
        let grantpt = try libc("grantpt", as: (@convention(c) (Int32) -> Int32).self)
        let unlockpt = try libc("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
        let ptsname = try libc("ptsname_r", as: (@convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32).self)
        let addchdir = try libc(
            "posix_spawn_file_actions_addchdir_np",
            as: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32).self
        )
        master = posixOpenpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw HarnessError("posix_openpt failed") }
        var nameBuffer = [CChar](repeating: 0, count: 128)
        guard grantpt(master) == 0, unlockpt(master) == 0, ptsname(master, &nameBuffer, nameBuffer.count) == 0 else {
            close(master)
            throw HarnessError("grantpt, unlockpt or ptsname failed")
        }
        let slave = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var size = winsize(ws_row: 24, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        _ = addchdir(&actions, directory)
        // Opened after setsid, without O_NOCTTY: the slave becomes the child's controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        let setsid: Int32 = 0x80  // POSIX_SPAWN_SETSID, which Swift does not import
        let (child, rc) = spawn(
            binary, arguments, environment: environment, actions: &actions, defaultSignals: [SIGINT, SIGPIPE], flags: setsid
        )
        guard rc == 0 else {
            close(master)
            throw HarnessError("posix_spawn \(binary) failed: \(rc)")
        }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    /// Types `text` (use `\r` for Enter, as a keyboard sends it).
    func type(_ text: String) throws {
        try type(Array(text.utf8))
    }

    func type(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(master, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw HarnessError("writing to the terminal failed") }
            offset += n
        }
    }

    /// Waits until `text` appears after what earlier calls consumed; returns the output up to and including it.
    @discardableResult
    func expect(_ text: String, seconds: Double = 60) throws -> String {
        let needle = Array(text.utf8)
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let range = find(needle, from: cursor) {
                let seen = String(decoding: output[cursor..<range.upperBound], as: UTF8.self)
                cursor = range.upperBound
                return seen
            }
            guard !childClosed else {
                throw HarnessError("the program ended before showing \(text.debugDescription); it showed: \(tail)")
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw HarnessError("no \(text.debugDescription) on the terminal; it shows: \(tail)") }
            readOnce(timeoutMilliseconds: Int32(min(remaining, 5) * 1000))
        }
    }

    /// Like ``expect(_:seconds:)`` through a paged screen: each time `pager` (the end of the pager's prompt) comes
    /// before `text`, Enter is typed for the next page. Returns everything consumed, the pages included.
    @discardableResult
    func expectPaging(_ text: String, pager: String, seconds: Double = 60) throws -> String {
        let needle = Array(text.utf8)
        let pagerNeedle = Array(pager.utf8)
        let deadline = Date().addingTimeInterval(seconds)
        var seen = ""
        while true {
            let found = find(needle, from: cursor)
            if let page = find(pagerNeedle, from: cursor), found == nil || page.lowerBound < found!.lowerBound {
                seen += String(decoding: output[cursor..<page.upperBound], as: UTF8.self)
                cursor = page.upperBound
                try type("\r")
                continue
            }
            if let range = found {
                seen += String(decoding: output[cursor..<range.upperBound], as: UTF8.self)
                cursor = range.upperBound
                return seen
            }
            guard !childClosed else {
                throw HarnessError("the program ended before showing \(text.debugDescription); it showed: \(tail)")
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw HarnessError("no \(text.debugDescription) on the terminal; it shows: \(tail)") }
            readOnce(timeoutMilliseconds: Int32(min(remaining, 5) * 1000))
        }
    }

    /// Reads until the child has closed the terminal, then returns its exit status.
    func finish(seconds: Double = 60) throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while !childClosed {
            guard deadline.timeIntervalSinceNow > 0 else { throw HarnessError("the program did not exit: \(tail)") }
            readOnce(timeoutMilliseconds: 1000)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        exitStatus = code
        return code
    }

    /// Everything not yet consumed by `expect`.
    var rest: String { String(decoding: output[cursor...], as: UTF8.self) }

    private var tail: String { String(decoding: output.suffix(600), as: UTF8.self).debugDescription }

    private func readOnce(timeoutMilliseconds: Int32) {
        var watched = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let ready = poll(&watched, 1, timeoutMilliseconds)
        guard ready > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
        if n > 0 {
            output += buffer[0..<n]
        } else if n == 0 || errno != EINTR && errno != EAGAIN {
            // EIO: every descriptor of the slave is closed, so the child has exited.
            childClosed = true
        }
    }

    private func find(_ needle: [UInt8], from start: Int) -> Range<Int>? {
        guard !needle.isEmpty, output.count - start >= needle.count else { return nil }
        var index = start
        while index + needle.count <= output.count {
            if output[index] == needle[0] && output[index..<index + needle.count].elementsEqual(needle) {
                return index..<index + needle.count
            }
            index += 1
        }
        return nil
    }
}

/// A libc function that Swift's Glibc module does not import (the pty calls are behind `_XOPEN_SOURCE`), looked
/// up in the already loaded C library.
func libc<Function>(_ name: String, as type: Function.Type) throws -> Function {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else {
        throw HarnessError("\(name) is not in the C library")
    }
    return unsafeBitCast(symbol, to: type)
}

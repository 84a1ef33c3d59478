import Dispatch
import Foundation
import Glibc
import Synchronization

/// A one-shot HTTP server on a Unix socket in a fresh temporary directory, serving a single connection.
///
/// The socket is bound and listening when `init` returns, so a client may connect immediately; the accept
/// loop runs on its own thread because the client under test blocks the calling one.
final class TestServer: Sendable {
    enum Behavior: Sendable {
        /// Write these bytes once the request has been read, then close.
        case respond([UInt8])
        /// Write these bytes as soon as the request head has been read, ignoring any body, then close.
        case respondAfterHead([UInt8])
        /// Write these bytes at most `stride` at a time once the request has been read, then close.
        case respondInPieces([UInt8], stride: Int)
        /// Read the request and never answer; hold the connection until the client gives up.
        case neverRespond
    }

    let socketPath: String
    private let directory: TemporaryDirectory
    private let listener: Int32
    private let received = Mutex<[UInt8]>([])
    private let finished = DispatchSemaphore(value: 0)

    init(_ behavior: Behavior) throws {
        directory = try TemporaryDirectory()
        socketPath = directory.path + "/amanatd.sock"
        listener = try makeListeningSocket(path: socketPath, listen: true)
        let thread = Thread { [self] in
            serve(behavior)
            finished.signal()
        }
        thread.start()
    }

    convenience init(response: String) throws {
        try self.init(.respond(Array(response.utf8)))
    }

    deinit {
        close(listener)
    }

    /// Waits for the connection to be fully served and returns the raw request bytes the server read.
    func request() -> [UInt8] {
        finished.wait()
        finished.signal()
        return received.withLock { $0 }
    }

    /// The request as text, for readable assertions.
    func requestText() -> String {
        String(decoding: request(), as: UTF8.self)
    }

    private func serve(_ behavior: Behavior) {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else {
            return
        }
        defer { close(connection) }
        var request: [UInt8] = []
        switch behavior {
        case .respond(let response):
            readRequest(from: connection, into: &request, includingBody: true)
            received.withLock { $0 = request }
            writeAll(response, to: connection)
        case .respondInPieces(let response, let stride):
            readRequest(from: connection, into: &request, includingBody: true)
            received.withLock { $0 = request }
            for start in Swift.stride(from: 0, to: response.count, by: stride) {
                writeAll(Array(response[start..<min(start + stride, response.count)]), to: connection)
            }
        case .respondAfterHead(let response):
            readRequest(from: connection, into: &request, includingBody: false)
            received.withLock { $0 = request }
            writeAll(response, to: connection)
        case .neverRespond:
            readRequest(from: connection, into: &request, includingBody: true)
            received.withLock { $0 = request }
            // Returns once the client closes its end after timing out.
            var scratch = [UInt8](repeating: 0, count: 1024)
            while recv(connection, &scratch, scratch.count, 0) > 0 {}
        }
    }
}

/// A directory under /tmp, short enough for socket paths, removed with its contents on deinit.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/amanat-client-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw POSIXFailure(operation: "mkdtemp")
        }
        path = String(cString: created)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    var operation: String
    var code: Int32 = errno

    var description: String { "\(operation) failed with errno \(code)" }
}

/// Creates a socket bound to `path`; without `listen`, connecting to it is refused.
func makeListeningSocket(path: String, listen shouldListen: Bool) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else {
        throw POSIXFailure(operation: "socket")
    }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard bound == 0, !shouldListen || listen(fd, 8) == 0 else {
        let failure = POSIXFailure(operation: "bind/listen")
        close(fd)
        throw failure
    }
    return fd
}

/// Reads the head and, if asked, a Content-Length body; stops early at EOF.
private func readRequest(from fd: Int32, into request: inout [UInt8], includingBody: Bool) {
    // Byte at a time up to the end of the head, so .respondAfterHead leaves the body unread.
    let terminator = Array("\r\n\r\n".utf8)
    var byte: UInt8 = 0
    while !request.reversed().starts(with: terminator.reversed()) {
        guard recv(fd, &byte, 1, 0) == 1 else {
            return
        }
        request.append(byte)
    }
    guard includingBody else {
        return
    }
    let headCount = request.count
    let headerLines = String(decoding: request, as: UTF8.self).lowercased().split(separator: "\r\n")
    let lengthLine = headerLines.first { $0.hasPrefix("content-length:") }
    let length = lengthLine.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
    var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    while request.count - headCount < length ?? 0 {
        let count = recv(fd, &scratch, scratch.count, 0)
        guard count > 0 else {
            return
        }
        request.append(contentsOf: scratch[..<count])
    }
}

private func writeAll(_ bytes: [UInt8], to fd: Int32) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written > 0 else {
            return
        }
        offset += written
    }
}

import Foundation
import Glibc
import Synchronization

/// A stand-in for amanatd on a Unix socket that answers from a script, for answers the real daemon does not give
/// (yet), such as a receipt and a withdrawal token, or a refusal after the client's own checks passed.
///
/// Each connection carries one request (`Connection: close`). `answer` maps a request to a status and a body;
/// every request is recorded. Accepting runs on its own thread because the tests wait on the pty meanwhile.
final class ScriptedServer: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var body: [UInt8]
    }

    /// What the accepting thread shares with the tests; the thread holds this, not the server, so that the
    /// server's deinit runs and stops it.
    private final class Recorder: Sendable {
        let requests = Mutex<[Request]>([])
    }

    let socketPath: String
    private let listener: Int32
    private let recorder = Recorder()

    /// Listens on `path` and answers each request with `answer(request, index)`, where `index` counts requests.
    init(path: String, answer: @escaping @Sendable (Request, Int) -> (status: Int, body: String)) throws {
        socketPath = path
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw HarnessError("socket failed") }
        guard withUnixAddress(path, { bind(listener, $0, $1) }) == 0, listen(listener, 8) == 0 else {
            close(listener)
            throw HarnessError("cannot listen on \(path)")
        }
        self.listener = listener
        let recorder = self.recorder
        let thread = Thread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }  // the listener was shut down
                guard let request = ScriptedServer.read(connection) else {
                    close(connection)
                    continue
                }
                let index = recorder.requests.withLock { $0.append(request); return $0.count - 1 }
                let (status, body) = answer(request, index)
                let bytes = Array(body.utf8)
                let type = status >= 400 ? "application/problem+json" : "application/json"
                let head = "HTTP/1.1 \(status) X\r\nContent-Type: \(type)\r\nContent-Length: \(bytes.count)\r\n"
                    + "Connection: close\r\n\r\n"
                let response = Array(head.utf8) + bytes
                _ = response.withUnsafeBytes { send(connection, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
                close(connection)
            }
        }
        thread.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// The requests received so far.
    var received: [Request] { recorder.requests.withLock { $0 } }

    private static func read(_ connection: Int32) -> Request? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headEnd: Int?
        var length = 0
        while true {
            if headEnd == nil, let end = bytes.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                headEnd = end
                let head = String(decoding: bytes[..<end], as: UTF8.self)
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let headEnd, bytes.count >= headEnd + length {
                let requestLine = String(decoding: bytes[..<headEnd], as: UTF8.self).split(separator: " ")
                guard requestLine.count >= 2 else { return nil }
                return Request(
                    method: String(requestLine[0]), path: String(requestLine[1]),
                    body: Array(bytes[headEnd..<headEnd + length])
                )
            }
            let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress!, $0.count, 0) }
            guard n > 0 else { return nil }
            bytes += buffer[0..<n]
        }
    }
}

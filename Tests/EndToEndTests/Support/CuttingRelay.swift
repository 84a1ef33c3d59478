import Foundation
import Glibc
import Synchronization

/// A relay on a Unix socket between a client and amanatd's socket: it forwards every byte both ways, except that it
/// cuts the connection carrying the first request whose bytes hold `cut` (a request line): before forwarding that
/// request (amanatd never sees it), or, with `afterRequest`, once amanatd answers it (amanatd did the work, the
/// client never hears of it). Either way the client sees its connection lost after sending. A cut the tests place
/// exactly, where killing amanatd could only be timed.
final class CuttingRelay: Sendable {
    let socketPath: String
    private let listener: Int32
    /// Whether the cut was made; shared with the relaying threads, which hold this and not the relay, so that the
    /// relay's deinit runs and stops them.
    private final class Cut: Sendable {
        let made = Mutex(false)

        /// True for the first caller only.
        func make() -> Bool {
            made.withLock { made in
                defer { made = true }
                return !made
            }
        }
    }

    private let cut = Cut()

    init(path: String, target: String, cut: String, afterRequest: Bool = false) throws {
        socketPath = path
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw HarnessError("socket failed") }
        guard withUnixAddress(path, { bind(listener, $0, $1) }) == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw HarnessError("cannot listen on \(path)")
        }
        self.listener = listener
        let once = self.cut
        let marker = Array(cut.utf8)
        Thread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }  // the listener was shut down
                let server = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard server >= 0, withUnixAddress(target, { connect(server, $0, $1) }) == 0 else {
                    close(client)
                    if server >= 0 { close(server) }
                    continue
                }
                let pair = SocketPair(client: client, server: server)
                Thread { pair.pump(from: client, to: server, cutting: marker, once: once, afterRequest: afterRequest) }.start()
                Thread { pair.pump(from: server, to: client, cutting: nil, once: once, afterRequest: afterRequest) }.start()
            }
        }.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Whether a connection was cut.
    var didCut: Bool { cut.made.withLock { $0 } }

    /// One relayed connection; the second pump to end closes both descriptors.
    private final class SocketPair: Sendable {
        let client: Int32
        let server: Int32
        private let ended = Mutex(0)
        /// Set when the request to cut went through: the answer is not forwarded.
        private let muted = Mutex(false)

        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }

        func cutBoth() {
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(server, Int32(SHUT_RDWR))
        }

        func pump(from source: Int32, to sink: Int32, cutting marker: [UInt8]?, once: Cut, afterRequest: Bool) {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            // The last bytes seen, so that a request line split between two reads is still found.
            var tail: [UInt8] = []
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress!, $0.count, 0) }
                guard n > 0 else { break }
                if marker == nil, muted.withLock({ $0 }) {
                    cutBoth()
                    break
                }
                if let marker {
                    let window = tail + buffer[0..<n]
                    if window.firstRange(of: marker) != nil, once.make() {
                        if afterRequest {
                            muted.withLock { $0 = true }
                        } else {
                            cutBoth()
                            break
                        }
                    }
                    tail = Array(window.suffix(marker.count))
                }
                var sent = 0
                while sent < n {
                    let count = buffer.withUnsafeBytes {
                        send(sink, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL))
                    }
                    guard count > 0 else { break }
                    sent += count
                }
                guard sent == n else { break }
            }
            shutdown(sink, Int32(SHUT_WR))
            let last = ended.withLock { count in
                count += 1
                return count == 2
            }
            if last {
                close(client)
                close(server)
            }
        }
    }
}

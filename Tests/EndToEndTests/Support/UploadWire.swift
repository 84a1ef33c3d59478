import AmanatCrypto
import Foundation
import GRDB
import Glibc
import Testing

/// A response read off the socket by hand: the upload tests speak the protocol of PROTOCOL.md sections 2.9 to 2.12
/// in raw HTTP/1.1, as any client would, since they check what goes over the wire before, during and after a body.
struct WireResponse {
    var status: Int
    /// Header names in lower case.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    /// The problem's slug, for a problem answer.
    var slug: String? {
        guard let type = (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["type"] as? String
        else { return nil }
        return type.replacingOccurrences(of: "urn:amanat:problem:", with: "")
    }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:] }
}

enum UploadWire {
    static let mebibyte = 1 << 20

    /// Sends `bytes`; false once the peer has gone (the rest is not sent).
    @discardableResult
    static func send(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var sent = bytes.startIndex
        while sent < bytes.endIndex {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    static func head(_ method: String, _ path: String, _ headers: [(String, String)]) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: amanat\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// Reads one response (no body for 204 or after HEAD), waiting at most `seconds`.
    static func read(_ fd: Int32, method: String, seconds: Int = 30) throws -> WireResponse {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        var response: WireResponse?
        var length = 0
        while true {
            if headEnd == nil, let end = received.firstRange(of: separator)?.upperBound {
                headEnd = end
                let lines = String(decoding: received[..<end], as: UTF8.self).split(separator: "\r\n")
                let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                        .trimmingCharacters(in: .whitespaces)
                }
                response = WireResponse(status: status, headers: headers, body: [])
                length = status == 204 || method == "HEAD" ? 0 : Int(headers["content-length"] ?? "0") ?? 0
            }
            if let headEnd, var response, received.count >= headEnd + length {
                response.body = Array(received[headEnd..<(headEnd + length)])
                return response
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw HarnessError("the connection ended before a whole response (\(received.count) bytes)")
            }
            received += buffer[0..<n]
        }
    }

    /// One request on a new connection, then closed. A body the server stops reading is cut off; its answer is
    /// read all the same.
    static func request(
        _ socket: String, _ method: String, _ path: String, headers: [(String, String)] = [],
        body: ArraySlice<UInt8> = [], seconds: Int = 30
    ) throws -> WireResponse {
        let fd = try connectedSocket(socket)
        defer { close(fd) }
        send(fd, head(method, path, headers + [("Content-Length", String(body.count))])[...])
        send(fd, body)
        do {
            return try read(fd, method: method, seconds: seconds)
        } catch {
            throw HarnessError("\(method) \(path): \(error)")
        }
    }

    static func create(_ socket: String, length: Int) throws -> (id: String, response: WireResponse) {
        let response = try request(
            socket, "POST", "/v1/uploads", headers: [("Upload-Length", String(length)), ("Upload-Complete", "?0")]
        )
        return (response.json["upload_id"] as? String ?? "", response)
    }

    static func patchHeaders(offset: Int, complete: Bool) -> [(String, String)] {
        [("Content-Type", "application/partial-upload"), ("Upload-Offset", String(offset)),
         ("Upload-Complete", complete ? "?1" : "?0")]
    }

    static func patch(_ socket: String, _ id: String, offset: Int, _ bytes: ArraySlice<UInt8>, complete: Bool) throws
        -> WireResponse
    {
        try request(socket, "PATCH", "/v1/uploads/\(id)", headers: patchHeaders(offset: offset, complete: complete),
                    body: bytes)
    }

    static func headUpload(_ socket: String, _ id: String, seconds: Int = 30) throws -> WireResponse {
        try request(socket, "HEAD", "/v1/uploads/\(id)", seconds: seconds)
    }

    /// A PATCH of `total` bytes whose head and `first` bytes go out, the connection left open.
    static func startPatch(
        _ socket: String, _ id: String, offset: Int, total: Int, complete: Bool, _ first: ArraySlice<UInt8>
    ) throws -> Int32 {
        let fd = try connectedSocket(socket)
        var headers = patchHeaders(offset: offset, complete: complete)
        headers.append(("Content-Length", String(total)))
        send(fd, head("PATCH", "/v1/uploads/\(id)", headers)[...])
        send(fd, first)
        return fd
    }

    /// The upload's row, read from the database while amanatd runs (WAL lets a reader in beside the writer).
    static func row(_ database: String, _ id: String) throws -> (offset: Int, length: Int, sha256: [UInt8]?)? {
        let queue = try DatabaseQueue(path: database)
        defer { try? queue.close() }
        return try queue.read { db in
            try Row.fetchOne(
                db, sql: "SELECT durable_offset, length, ciphertext_sha256 FROM uploads WHERE upload_id = ?",
                arguments: [id]
            ).map { row in
                let hash: Data? = row["ciphertext_sha256"]
                return (row["durable_offset"], row["length"], hash.map { [UInt8]($0) })
            }
        }
    }

    /// Runs `work` on a new thread, not on Swift's cooperative pool, and waits for it.
    static func onThread(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                work()
                done.resume()
            }
        }
    }

    static func randomBody(_ count: Int) -> [UInt8] {
        let source = FileHandle(forReadingAtPath: "/dev/urandom")!
        defer { try? source.close() }
        return [UInt8](source.readData(ofLength: count))
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] { SHA256.hash(bytes) }

    /// Whether `a` and `b` hold the same bytes. An `#expect(a == b)` on arrays of megabytes would have the test
    /// library compute their difference when it fails, which takes hours.
    static func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool { a == b }
}

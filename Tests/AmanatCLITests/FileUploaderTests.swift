import AmanatClient
import AmanatCrypto
import AmanatFormat
import AmanatKeys
@testable import amanat
import Foundation
import Glibc
import Synchronization
import Testing

/// FileUploader against an upload server in this process that cuts PATCHes where told, keeps only a durable prefix
/// of what arrived (as amanatd after a kill -9), or forgets the upload: what it ends up holding must decrypt, with the
/// uploader's key, to the file and its padding, with the SHA-256 the uploader reports.
@Suite("amanat: uploading with cuts and resumes") struct FileUploaderTests {
    /// How the server treats each PATCH, in order; PATCHes past the script are served whole.
    enum Step: Sendable {
        /// Read this many body bytes, keep what is durable (a multiple of `durableUnit` of the PATCH), close.
        case cut(after: Int)
        /// Read the whole body and keep it, but close without answering (the answer was lost).
        case loseAnswer
        /// Forget the upload (it expired), and close.
        case forget
    }

    /// A single-threaded upload server on a Unix socket.
    final class UploadServer: @unchecked Sendable {
        let socketPath: String
        private let directory: ResumeTests.TestFile
        private let listener: Int32
        private let state = Mutex<(uploads: [String: [UInt8]], lengths: [String: Int], patches: Int, created: Int)>(
            ([:], [:], 0, 0)
        )
        private let script: [Step]
        private let durableUnit: Int

        init(script: [Step], durableUnit: Int = 50_000) throws {
            // A fresh directory (the test file's) with a short path for the socket.
            directory = try ResumeTests.TestFile(size: 0)
            socketPath = directory.directory + "/amanatd.sock"
            self.script = script
            self.durableUnit = durableUnit
            listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: socketPath.utf8) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0, listen(listener, 8) == 0 else { throw CocoaError(.fileWriteUnknown) }
            Thread { [self] in serve() }.start()
        }

        deinit { close(listener) }

        /// The bytes held for each upload, and how many uploads were created.
        var held: (uploads: [String: [UInt8]], created: Int) { state.withLock { ($0.uploads, $0.created) } }

        private func serve() {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                handle(connection)
                close(connection)
            }
        }

        private func handle(_ fd: Int32) {
            var head: [UInt8] = []
            var byte: UInt8 = 0
            while !head.reversed().starts(with: Array("\n\r\n\r".utf8)) {
                guard recv(fd, &byte, 1, 0) == 1 else { return }
                head.append(byte)
            }
            let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n").map(String.init)
            let request = lines[0].split(separator: " ").map(String.init)
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                headers[parts[0].lowercased()] = parts[1]
            }
            let (method, path) = (request[0], request[1])
            let id = String(path.dropFirst("/v1/uploads/".count))
            switch method {
            case "POST":
                let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
                state.withLock {
                    $0.uploads[id] = []
                    $0.lengths[id] = Int(headers["upload-length"]!)!
                    $0.created += 1
                }
                answer(fd, "201 Created", body: "{\"upload_id\":\"\(id)\",\"offset\":0}")
            case "HEAD":
                guard let held = state.withLock({ $0.uploads[id]?.count }) else { return answer(fd, "404 Not Found") }
                answer(fd, "204 No Content", headers: "Upload-Offset: \(held)\r\n")
            case "DELETE":
                _ = state.withLock { $0.uploads.removeValue(forKey: id) }
                answer(fd, "204 No Content")
            case "PATCH":
                let (index, current) = state.withLock { state in
                    state.patches += 1
                    return (state.patches - 1, state.uploads[id]?.count)
                }
                guard let current else { return answer(fd, "404 Not Found") }
                let offset = Int(headers["upload-offset"]!)!
                guard offset == current else { return answer(fd, "409 Conflict", body: "{}") }
                let length = Int(headers["content-length"]!)!
                let step = index < script.count ? script[index] : nil
                var limit = length
                if case .cut(let after)? = step { limit = min(after, length) }
                var body: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while body.count < limit {
                    let count = recv(fd, &buffer, min(buffer.count, limit - body.count), 0)
                    guard count > 0 else { break }
                    body += buffer[0..<count]
                }
                switch step {
                case .cut?:
                    let durable = body.count / durableUnit * durableUnit
                    state.withLock { $0.uploads[id]! += body[0..<durable] }
                case .loseAnswer?:
                    state.withLock { $0.uploads[id]! += body }
                case .forget?:
                    _ = state.withLock { $0.uploads.removeValue(forKey: id) }
                case nil:
                    let held = state.withLock { state in
                        state.uploads[id]! += body
                        return state.uploads[id]!.count
                    }
                    answer(fd, "204 No Content", headers: "Upload-Offset: \(held)\r\n")
                }
            default:
                answer(fd, "405 Method Not Allowed")
            }
        }

        private func answer(_ fd: Int32, _ status: String, headers: String = "", body: String = "") {
            let text = "HTTP/1.1 \(status)\r\n\(headers)Content-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n\(body)"
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// Decrypts `stream` with `key`: the plaintext of every chunk, or nil when any check fails.
    static func decrypt(_ stream: [UInt8], key: SecretBytes) -> [UInt8]? {
        let preamble = FileStreamLayout.preambleBytes
        guard stream.count >= preamble,
              let decryptor = try? FileStreamDecryptor(key: key, preamble: Array(stream[0..<preamble]))
        else { return nil }
        var plaintext: [UInt8] = []
        var offset = preamble
        var output = [UInt8](repeating: 0, count: FileStreamLayout.chunkBytes)
        while offset < stream.count {
            let end = min(stream.count, offset + FileStreamLayout.chunkBytes + FileStreamLayout.chunkOverhead)
            let pulled = stream[offset..<end].withUnsafeBytes { chunk in
                output.withUnsafeMutableBytes { out in try? decryptor.pull(chunk, into: out) }
            }
            guard let (count, isFinal) = pulled, isFinal == (end == stream.count) else { return nil }
            plaintext += output[0..<count]
            offset = end
        }
        return plaintext
    }

    static func upload(_ size: Int, script: [Step]) throws -> (UploadedFile, [UInt8], UploadServer, [UInt8]) {
        try Sodium.initialise()
        let testFile = try ResumeTests.TestFile(size: size, seed: 3)
        let server = try UploadServer(script: script)
        let uploader = FileUploader(
            client: UnixHTTPClient(socketPath: server.socketPath, timeoutSeconds: 10), language: .en,
            progress: TransferProgress(total: 1, terminal: false, language: .en), chunksPerSegment: 3,
            retryDelays: [0, 0, 0, 0, 0]
        )
        let uploaded = try uploader.upload(try EvidenceFile(path: testFile.path))
        let stream = try #require(server.held.uploads[uploaded.uploadID])
        return (uploaded, stream, server, testFile.bytes)
    }

    static let size = 65_536 * 8 + 1_000

    @Test("cuts inside segments, a lost answer, a durable offset behind what was sent: the stream decrypts whole",
          arguments: [
            [Step](),
            [.cut(after: 10)],
            [.cut(after: 120_000), .cut(after: 60_000)],
            [.loseAnswer, .cut(after: 150_000)],
            [.cut(after: 70_000), .loseAnswer, .cut(after: 49_999)],
          ] as [[Step]])
    func resumesToAStreamThatDecrypts(script: [Step]) throws {
        let (uploaded, stream, server, file) = try Self.upload(Self.size, script: script)
        #expect(UInt64(stream.count) == FileStreamLayout.storedSize(plainSize: UInt64(Self.size)))
        #expect(uploaded.storedSize == UInt64(stream.count))
        let plaintext = try #require(Self.decrypt(stream, key: uploaded.key), "the stream does not decrypt")
        let padded = Int(FileStreamLayout.paddedSize(plainSize: UInt64(Self.size)))
        let same = plaintext == file + [UInt8](repeating: 0, count: padded - file.count)
        #expect(same, "the plaintext is not the file and its zero padding")
        #expect(uploaded.sha256 == SHA256.hash(file))
        #expect(server.held.created == 1)
    }

    @Test func anUploadForgottenByTheServerStartsOverOnce() throws {
        let (uploaded, stream, server, file) = try Self.upload(Self.size, script: [.cut(after: 70_000), .forget])
        #expect(server.held.created == 2)
        let plaintext = try #require(Self.decrypt(stream, key: uploaded.key))
        #expect(Array(plaintext.prefix(file.count)) == file)
        #expect(uploaded.sha256 == SHA256.hash(file))
    }

    @Test func givesUpAfterItsTries() throws {
        try Sodium.initialise()
        let testFile = try ResumeTests.TestFile(size: Self.size)
        let server = try UploadServer(script: Array(repeating: .cut(after: 10), count: 10))
        let uploader = FileUploader(
            client: UnixHTTPClient(socketPath: server.socketPath, timeoutSeconds: 10), language: .en,
            progress: TransferProgress(total: 1, terminal: false, language: .en), chunksPerSegment: 3,
            retryDelays: [0, 0]
        )
        #expect(throws: EvidenceError.self) { try uploader.upload(try EvidenceFile(path: testFile.path)) }
        uploader.discardUploads()
        #expect(server.held.uploads.isEmpty, "the upload given up on was removed")
    }
}

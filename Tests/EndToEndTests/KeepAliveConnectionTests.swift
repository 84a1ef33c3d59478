import AmanatClient
import Foundation
import Testing

/// `UnixHTTPConnection` against the real amanatd: requests share one connection until the daemon answers
/// with `Connection: close`, and the next request then opens a new one.
@Suite("keep-alive connection")
struct KeepAliveConnectionTests {
    @Test func requestsShareOneConnectionUntilTheDaemonCloses() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--max-body-bytes", "65536"])
        let connection = UnixHTTPConnection(socketPath: daemon.socketPath, timeoutSeconds: 30)
        #expect(!connection.isOpen)
        #expect(try connection.request(method: "GET", path: "/v1/health").status == 200)
        #expect(connection.isOpen)
        let testimony = Array(try Data(contentsOf: URL(fileURLWithPath: Paths.example("testimony.json"))))
        for _ in 0..<3 {
            let response = try connection.request(method: "POST", path: "/v1/testimonies", body: testimony)
            #expect(response.status == 201)
            #expect(response.value(forHeader: "Connection") == "keep-alive")
            #expect(connection.isOpen)
        }
        // A body over the limit is refused with `Connection: close`: the connection is given up.
        let refused = try connection.request(
            method: "POST", path: "/v1/testimonies", body: [UInt8](repeating: 0x20, count: 70_000)
        )
        #expect(refused.status == 413)
        #expect(!connection.isOpen)
        #expect(try connection.request(method: "GET", path: "/v1/health").status == 200)
        #expect(connection.isOpen)
        connection.close()
        #expect(!connection.isOpen)
        #expect(await daemon.stop() == 0)
    }
}

import AmanatProtocol
import AmanatClient
import Foundation
import Synchronization

/// C blocking clients, each on its own thread, submitting the same testimony for a fixed time: with one
/// connection per request (as `amanat submit` does) or with one kept-alive connection per client (as a web
/// front end would).
struct IntakeLoad {
    /// How the clients use connections.
    enum Connections: String {
        case perRequest = "per request"
        case keepAlive = "keep-alive"
    }

    struct Result {
        var clients: Int
        var connections: Connections
        var seconds: Double
        /// 201 answers: each one is a durable acknowledgement.
        var created: Int
        /// Any other answer or failure, by kind.
        var failures: [String: Int]
        /// Latencies of the 201 answers, in nanoseconds, sorted.
        var latencies: [UInt64]
        /// Every 201 answer, including those to requests that finished after the measured window.
        var acknowledged: Int

        var throughput: Double { Double(created) / seconds }

        /// The latency at quantile `q` (0...1), in milliseconds.
        func percentile(_ q: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let index = min(latencies.count - 1, Int((q * Double(latencies.count)).rounded(.up)) - 1)
            return Double(latencies[max(0, index)]) / 1e6
        }
    }

    let socketPath: String
    let body: [UInt8]

    /// Runs `clients` threads for `seconds`. Requests started before the end are waited for but not counted
    /// when they finish after it.
    func run(clients: Int, seconds: Double, connections: Connections = .perRequest) -> Result {
        let collected = Mutex<(acknowledged: Int, failures: [String: Int], latencies: [UInt64])>((0, [:], []))
        let start = nowNanoseconds()
        let end = start + UInt64(seconds * 1e9)
        let socketPath = self.socketPath
        let body = self.body
        onThreads(clients) { _ in
            let client = UnixHTTPClient(socketPath: socketPath, timeoutSeconds: 60)
            let connection = UnixHTTPConnection(socketPath: socketPath, timeoutSeconds: 60)
            defer { connection.close() }
            var latencies: [UInt64] = []
            latencies.reserveCapacity(1 << 14)
            var failures: [String: Int] = [:]
            var acknowledged = 0
            while true {
                let sent = nowNanoseconds()
                guard sent < end else { break }
                let outcome: String?
                do throws(ClientError) {
                    let response: HTTPResponse
                    if connections == .keepAlive {
                        response = try connection.request(method: "POST", path: Endpoint.testimonies, body: body)
                    } else {
                        response = try client.request(method: "POST", path: Endpoint.testimonies, body: body)
                    }
                    outcome = response.status == 201 ? nil : "HTTP \(response.status)"
                } catch {
                    outcome = "\(error.kind)"
                }
                let done = nowNanoseconds()
                if outcome == nil { acknowledged += 1 }
                guard done <= end else { break }
                if let outcome {
                    failures[outcome, default: 0] += 1
                } else {
                    latencies.append(done - sent)
                }
            }
            collected.withLock {
                $0.acknowledged += acknowledged
                $0.latencies += latencies
                $0.failures.merge(failures, uniquingKeysWith: +)
            }
        }
        let elapsed = Double(end - start) / 1e9
        return collected.withLock {
            Result(clients: clients, connections: connections, seconds: elapsed, created: $0.latencies.count, failures: $0.failures,
                   latencies: $0.latencies.sorted(), acknowledged: $0.acknowledged)
        }
    }
}

import Glibc

/// A failure to complete a request to `amanatd`.
///
/// `description` is a single lowercase line without a trailing period, written to follow `amanat: error: `.
/// Switch on `kind` (or test `isConnectionFailure`) to choose an exit code; the wording is not API.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    /// The broad category of a `ClientError`.
    ///
    /// A struct rather than an enum so that categories can be added without breaking exhaustive switches.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The socket path is empty, contains a NUL byte, or does not fit in `sockaddr_un.sun_path`.
        public static let invalidSocketPath = Kind("invalidSocketPath")
        /// The socket file does not exist, or nothing is listening on it.
        public static let connectionFailed = Kind("connectionFailed")
        /// The caller may not open the socket (not in the group that owns it).
        public static let permissionDenied = Kind("permissionDenied")
        /// The timeout elapsed before the response was complete.
        public static let timedOut = Kind("timedOut")
        /// The daemon closed or reset the connection before the response was complete.
        public static let connectionLost = Kind("connectionLost")
        /// The response is not valid HTTP/1.1 as this client understands it.
        public static let malformedResponse = Kind("malformedResponse")
        /// The response body exceeds the size limit.
        public static let responseTooLarge = Kind("responseTooLarge")
        /// The method, path or content type cannot be sent safely (for example, it contains CR or LF).
        public static let invalidRequest = Kind("invalidRequest")
        /// A local system call failed for a reason unrelated to the daemon (for example, out of file descriptors).
        public static let systemError = Kind("systemError")

        /// The category's name, for logs and test failures.
        public var description: String { name }
    }

    enum Code: Equatable {
        case socketPathTooLong(path: String, byteCount: Int)
        case socketPathInvalid(path: String)
        case socketMissing(path: String)
        case permissionDenied(path: String)
        case connectionRefused(path: String)
        case connectFailed(path: String, errno: Int32)
        case timedOut(seconds: Int)
        case connectionClosed
        case connectionReset(errno: Int32)
        case malformed(reason: String)
        case bodyTooLarge(limit: Int)
        case invalidRequest(reason: String)
        case system(operation: String, errno: Int32)
    }

    let code: Code

    init(_ code: Code) {
        self.code = code
    }

    /// The broad category of this error.
    public var kind: Kind {
        switch code {
        case .socketPathTooLong, .socketPathInvalid: .invalidSocketPath
        case .socketMissing, .connectionRefused, .connectFailed: .connectionFailed
        case .permissionDenied: .permissionDenied
        case .timedOut: .timedOut
        case .connectionClosed, .connectionReset: .connectionLost
        case .malformed: .malformedResponse
        case .bodyTooLarge: .responseTooLarge
        case .invalidRequest: .invalidRequest
        case .system: .systemError
        }
    }

    /// True when no connection to the daemon could be established, so the request was certainly not processed.
    public var isConnectionFailure: Bool {
        kind == .connectionFailed || kind == .permissionDenied
    }

    /// A one-line, lowercase explanation without a trailing period.
    public var description: String {
        switch code {
        case .socketPathTooLong(let path, let byteCount):
            "socket path too long: \(path) is \(byteCount) bytes, the limit is \(UnixSocketAddress.maxPathBytes)"
        case .socketPathInvalid(let path):
            "invalid socket path \"\(path)\""
        case .socketMissing(let path):
            "cannot connect to \(path): no such file (is amanatd running?)"
        case .permissionDenied(let path):
            "permission denied on \(path): ask an admin to add you to the volunteers group"
        case .connectionRefused(let path):
            "connection refused on \(path) (is amanatd running?)"
        case .connectFailed(let path, let errno):
            "cannot connect to \(path): \(errorMessage(errno))"
        case .timedOut(let seconds):
            "timed out waiting for amanatd after \(seconds) second\(seconds == 1 ? "" : "s")"
        case .connectionClosed:
            "amanatd closed the connection before the response was complete"
        case .connectionReset(let errno):
            "lost the connection to amanatd: \(errorMessage(errno))"
        case .malformed(let reason):
            "malformed response from amanatd: \(reason)"
        case .bodyTooLarge(let limit):
            "response from amanatd is larger than \(byteCountDescription(limit))"
        case .invalidRequest(let reason):
            "invalid request: \(reason)"
        case .system(let operation, let errno):
            "\(operation) failed: \(errorMessage(errno))"
        }
    }
}

/// "64 MiB", "64 KiB" or "300 bytes": limits are powers of two, so only whole units are worth printing.
func byteCountDescription(_ count: Int) -> String {
    if count >= 1024 * 1024, count % (1024 * 1024) == 0 {
        return "\(count / (1024 * 1024)) MiB"
    }
    if count >= 1024, count % 1024 == 0 {
        return "\(count / 1024) KiB"
    }
    return "\(count) bytes"
}

/// `strerror` text with a lowercase first letter, to fit the error-line style.
///
/// Uses the XSI `strerror_r` because `strerror` may share a static buffer between threads.
func errorMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard strerror_r(code, &buffer, buffer.count) == 0 else {
        return "error \(code)"
    }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    let message = String(decoding: bytes, as: UTF8.self)
    guard let first = message.first else {
        return "error \(code)"
    }
    return first.lowercased() + message.dropFirst()
}

import Glibc
import NIOCore
import NIOHTTP1

/// The last handler of the client's pipeline, after NIOHTTP1's decoder: checks the answer against what amanatd
/// sends (PROTOCOL.md: every body framed by Content-Length, bounded sizes) and hands head and body pieces to the
/// caller's thread through ``ExchangeState``. Reading is on demand, so a body the caller cannot take yet waits in
/// the socket rather than in memory.
final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    static let maxHeaderBytes = 64 * 1024
    static let maxBodyBytes = 64 * 1024 * 1024

    private let state: ExchangeState
    /// Body bytes of the current answer so far (on the event loop only).
    private var bodyBytes = 0
    private var bodyLimit: Int?

    init(state: ExchangeState) {
        self.state = state
    }

    func channelActive(context: ChannelHandlerContext) {
        context.read()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            do throws(ClientError) {
                bodyLimit = try accept(head)
                bodyBytes = 0
                state.update { $0.head = head }
            } catch {
                fail(error, context: context)
            }
        case .body(let piece):
            bodyBytes += piece.readableBytes
            if let bodyLimit, bodyBytes > bodyLimit {
                fail(ClientError(.bodyTooLarge(limit: bodyLimit)), context: context)
                return
            }
            state.update { fields in
                fields.pieces.append(piece)
                fields.queuedBytes += piece.readableBytes
            }
        case .end:
            state.update { $0.ended = true }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        let pause = state.update { fields in
            fields.readingPaused = fields.queuedBytes >= ExchangeState.highWater
            return fields.readingPaused
        }
        if !pause { context.read() }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(Self.clientError(error), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.update { fields in
            if !fields.ended && fields.failure == nil { fields.failure = ClientError(.connectionClosed) }
        }
        context.fireChannelInactive()
    }

    private func fail(_ error: ClientError, context: ChannelHandlerContext) {
        state.update { fields in
            if !fields.ended && fields.failure == nil { fields.failure = error }
        }
        context.close(promise: nil)
    }

    /// Checks a final head; returns the body limit (nil when the body streams to a sink and may be any size).
    private func accept(_ head: HTTPResponseHead) throws(ClientError) -> Int? {
        guard head.status.code != 101 else {
            throw ClientError(.malformed(reason: "unexpected protocol switch"))
        }
        guard head.version.major == 1, (100...599).contains(head.status.code) else {
            throw ClientError(.malformed(reason: "bad status line"))
        }
        let (method, streaming) = state.update { ($0.method, $0.streaming) }
        let status = Int(head.status.code)
        if method == "HEAD" || status == 204 || status == 304 { return nil }
        // amanatd frames every body with Content-Length (PROTOCOL.md): a chunked or unframed answer is not from it.
        guard !head.headers.contains(name: "Transfer-Encoding") else {
            throw ClientError(.malformed(reason: "unexpected transfer-encoding"))
        }
        let lengths = head.headers[canonicalForm: "Content-Length"]
        guard let first = lengths.first else {
            throw ClientError(.malformed(reason: "no content-length"))
        }
        guard lengths.allSatisfy({ $0 == first }), let length = Int(first), length >= 0,
              first.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw ClientError(.malformed(reason: "bad content-length"))
        }
        let streamsToSink = streaming && status == 200
        guard length <= Self.maxBodyBytes || streamsToSink else {
            throw ClientError(.bodyTooLarge(limit: Self.maxBodyBytes))
        }
        return streamsToSink ? nil : Self.maxBodyBytes
    }

    /// What NIO reports, in the client's terms: a cut connection is `connectionLost`, an unparsable answer
    /// `malformedResponse`, as the callers (FileUploader's retries) expect.
    static func clientError(_ error: any Error) -> ClientError {
        switch error {
        case let error as ClientError:
            return error
        case let error as HTTPParserError:
            switch error {
            case .invalidEOFState:
                return ClientError(.connectionClosed)
            case .headerOverflow:
                return ClientError(.malformed(reason: "headers exceed \(byteCountDescription(maxHeaderBytes))"))
            case .invalidStatus, .invalidVersion, .invalidConstant:
                return ClientError(.malformed(reason: "bad status line"))
            case .invalidHeaderToken:
                return ClientError(.malformed(reason: "bad header name"))
            case .invalidContentLength, .unexpectedContentLength:
                return ClientError(.malformed(reason: "bad content-length"))
            default:
                return ClientError(.malformed(reason: "unparsable answer (\(error))"))
            }
        case let error as IOError:
            switch error.errnoCode {
            case EPIPE, ECONNRESET: return ClientError(.connectionReset(errno: error.errnoCode))
            default: return ClientError(.system(operation: "socket I/O", errno: error.errnoCode))
            }
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return ClientError(.timedOut(seconds: 0))
            default: return ClientError(.connectionClosed)
            }
        default:
            return ClientError(.malformed(reason: "\(error)"))
        }
    }
}

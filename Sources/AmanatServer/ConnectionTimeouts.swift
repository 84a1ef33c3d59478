import NIOCore
import NIOHTTP1

/// Per-connection timers shared by two handlers on the same event loop: the front one sees raw bytes,
/// the back one sees decoded requests and the responses going out.
///
/// - The request timeout runs from the first byte of a request to the end of its body, so a client
///   that trickles a header line every few seconds is cut off too (slowloris).
/// - The idle timeout closes a connection with no traffic, but never while a request is being answered:
///   a slow commit must not cost the client its acknowledgement.
final class ConnectionTimeouts {
    let requestTimeout: TimeAmount
    var deadline: Scheduled<Void>?
    var answering = false

    init(requestTimeout: TimeAmount) {
        self.requestTimeout = requestTimeout
    }

    /// Sits before the HTTP decoder.
    final class Front: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        private let timeouts: ConnectionTimeouts

        init(_ timeouts: ConnectionTimeouts) {
            self.timeouts = timeouts
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if timeouts.deadline == nil && !timeouts.answering {
                let channel = context.channel
                timeouts.deadline = context.eventLoop.scheduleTask(in: timeouts.requestTimeout) {
                    channel.close(promise: nil)
                }
            }
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            timeouts.deadline?.cancel()
            timeouts.deadline = nil
            context.fireChannelInactive()
        }
    }

    /// Sits after the HTTP codec.
    final class Back: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias InboundOut = HTTPServerRequestPart
        typealias OutboundIn = HTTPServerResponsePart
        typealias OutboundOut = HTTPServerResponsePart
        private let timeouts: ConnectionTimeouts

        init(_ timeouts: ConnectionTimeouts) {
            self.timeouts = timeouts
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head: timeouts.answering = true
            case .end:
                timeouts.deadline?.cancel()
                timeouts.deadline = nil
            case .body: break
            }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .end = unwrapOutboundIn(data) { timeouts.answering = false }
            context.write(data, promise: promise)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is IdleStateHandler.IdleStateEvent {
                if !timeouts.answering { context.close(promise: nil) }
                return
            }
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// Answers HTTP that cannot be parsed with a problem+json 400 and closes, instead of NIO's bare 400.
final class HTTPProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// True between a response's head and its end: a 400 cannot be inserted into a half-sent response.
    private var responseInFlight = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // Mid-response there is nothing sensible to send: just close.
        if !responseInFlight {
            let body = Response.problem(.badRequest).body
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/problem+json")
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Cache-Control", value: "no-store")
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))),
                          promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responseInFlight = true
        case .end: responseInFlight = false
        case .body: break
        }
        context.write(data, promise: promise)
    }
}

import NIOCore
import NIOHTTP1

/// One deadline per connection, always armed, whose length depends on what the connection is doing. Two handlers
/// on the connection's event loop share it: the front one sees raw bytes and the quiesce event, the back one sees
/// decoded requests and the responses going out.
///
/// - idle: from accept, or the end of an answer; `idle` long.
/// - receiving: from the first byte of a request, or its head; `request` long, never extended.
/// - uploading: from the head of an upload's append (`PATCH /v1/uploads/{id}`), re-armed by each piece of its
///   body; `uploadStall` long. A file of gigabytes over a slow link takes as long as it takes, as long as bytes come.
/// - answering: from the end of the request's body; `answer` long.
/// - sending: from each piece of the answer handed on, or the socket filling while answering; `idle` long, so a
///   peer that stops reading is cut off.
///
/// A request's head also starts `receiving` when its bytes arrived earlier, while an answer was going out
/// (pipelining): no phase can leave a connection without a deadline. After graceful shutdown began, every
/// deadline ends by `stop` from then, so that no client can hold up the stop.
final class ConnectionDeadlines {
    /// How long each phase may last.
    struct Lengths {
        var idle: TimeAmount
        var request: TimeAmount
        var answer: TimeAmount
        var stop: TimeAmount
        var uploadStall: TimeAmount
    }

    enum Phase: Equatable {
        case idle, receiving, uploading, answering, sending
    }

    private let lengths: Lengths
    private let slot: ConnectionSlot
    private(set) var phase = Phase.idle
    private var deadline: Scheduled<Void>?
    /// Set once graceful shutdown began: no deadline may end later.
    private var stopBy: NIODeadline?

    init(_ lengths: Lengths, slot: ConnectionSlot) {
        self.lengths = lengths
        self.slot = slot
    }

    /// Enters `phase` and arms its deadline, replacing the one armed before.
    func enter(_ phase: Phase, channel: any Channel) {
        self.phase = phase
        slot.setIdle(phase == .idle)
        let length = switch phase {
        case .idle, .sending: lengths.idle
        case .receiving: lengths.request
        case .uploading: lengths.uploadStall
        case .answering: lengths.answer
        }
        var end = NIODeadline.now() + length
        if let stopBy, stopBy < end { end = stopBy }
        deadline?.cancel()
        deadline = channel.eventLoop.scheduleTask(deadline: end) { channel.close(promise: nil) }
    }

    /// Ends every later deadline by `stop` from now, and re-arms the current one under that bound.
    func stopping(channel: any Channel) {
        guard stopBy == nil else { return }
        stopBy = .now() + lengths.stop
        enter(phase, channel: channel)
    }

    func cancel() {
        deadline?.cancel()
        deadline = nil
    }

    /// Sits before the HTTP decoder.
    final class Front: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        private let deadlines: ConnectionDeadlines

        init(_ deadlines: ConnectionDeadlines) {
            self.deadlines = deadlines
        }

        func handlerAdded(context: ChannelHandlerContext) {
            deadlines.enter(.idle, channel: context.channel)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            // The first byte of a request. Bytes that arrive while a request is received, answered or sent never
            // extend its deadline (a client trickling a header line every few seconds is cut off too).
            if deadlines.phase == .idle { deadlines.enter(.receiving, channel: context.channel) }
            context.fireChannelRead(data)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent { deadlines.stopping(channel: context.channel) }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            deadlines.cancel()
            context.fireChannelInactive()
        }
    }

    /// Sits after the HTTP codec.
    final class Back: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias InboundOut = HTTPServerRequestPart
        typealias OutboundIn = HTTPServerResponsePart
        typealias OutboundOut = HTTPServerResponsePart
        private let deadlines: ConnectionDeadlines

        init(_ deadlines: ConnectionDeadlines) {
            self.deadlines = deadlines
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                if Route.streamsUpload(method: head.method, uri: head.uri)
                    && (deadlines.phase == .idle || deadlines.phase == .receiving)
                {
                    deadlines.enter(.uploading, channel: context.channel)
                } else if deadlines.phase == .idle {
                    // A pipelined request whose bytes came while the one before it was answered starts its own clock.
                    deadlines.enter(.receiving, channel: context.channel)
                }
            case .end:
                // A socket already full of earlier answers (pipelining) is a stall from now: no writability change
                // will come to start the stall clock.
                deadlines.enter(context.channel.isWritable ? .answering : .sending, channel: context.channel)
            case .body:
                // Each piece of an upload's body re-arms its stall deadline (a cancel and a timer on this loop, per
                // read of up to 64 KiB).
                if deadlines.phase == .uploading { deadlines.enter(.uploading, channel: context.channel) }
            }
            context.fireChannelRead(data)
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            // The peer has stopped reading: the answer waiting to be written starts the stall clock, which each
            // piece written once the peer reads again restarts.
            if !context.channel.isWritable && deadlines.phase == .answering {
                deadlines.enter(.sending, channel: context.channel)
            }
            context.fireChannelWritabilityChanged()
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            switch unwrapOutboundIn(data) {
            case .head, .body: deadlines.enter(.sending, channel: context.channel)
            case .end: deadlines.enter(.idle, channel: context.channel)
            }
            context.write(data, promise: promise)
        }
    }
}

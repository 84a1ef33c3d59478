import AmanatIntake
import NIOCore
import NIOHTTP1

/// A connection's inbound parts, read by one task: the request loop reads heads, a request's body reads its
/// parts up to `.end`. Never shared between tasks.
final class InboundParts {
    private var iterator: NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator

    init(_ stream: NIOAsyncChannelInboundStream<HTTPServerRequestPart>) {
        iterator = stream.makeAsyncIterator()
    }

    func next() async throws -> HTTPServerRequestPart? {
        try await iterator.next()
    }
}

/// One request's body as it arrives: the chunks NIO read, up to the request's `.end`, never more than `limit`
/// bytes. Every route gets its body this way, so a handler may consume it as it streams (evidence files) or
/// collect it (a testimony); what a handler leaves unread is drained before the next request.
struct RequestBody: AsyncSequence {
    typealias Element = ByteBufferView

    private let state: State

    final class State {
        let parts: InboundParts
        let limit: Int
        var received = 0
        /// `.end` was read, or the body failed: nothing more belongs to this request.
        var finished = false
        /// How the body ended, once it has.
        var ending = Ending.complete

        init(parts: InboundParts, limit: Int) {
            self.parts = parts
            self.limit = limit
        }

        func next() async throws -> ByteBufferView? {
            guard !finished else { return nil }
            let part: HTTPServerRequestPart?
            do {
                part = try await parts.next()
            } catch {
                finished = true
                ending = .failed
                throw error
            }
            switch part {
            case .body(let buffer):
                received += buffer.readableBytes
                guard received <= limit else {
                    finished = true
                    ending = .overLimit
                    throw IntakeError.bodyTooLarge(limit: limit)
                }
                return buffer.readableBytesView
            case .end:
                finished = true
                return nil
            case .head, nil:
                // NIO's decoder never sends a head inside a body; a nil is the peer leaving mid-body.
                finished = true
                ending = .failed
                throw IntakeError(.incompleteBody, "the body ended early")
            }
        }
    }

    init(parts: InboundParts, limit: Int) {
        state = State(parts: parts, limit: limit)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let state: State
        mutating func next() async throws -> ByteBufferView? { try await state.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(state: state) }

    /// How a body ended.
    enum Ending {
        /// At its `.end`: the connection can carry another request.
        case complete
        /// Past its limit: answer 413 and close.
        case overLimit
        /// The peer left, or sent what NIO's decoder refused (HTTPProtocolErrorHandler answers that itself):
        /// nothing more may be written.
        case failed
    }

    /// Whether the body has ended (read to its `.end`, or failed).
    var isFinished: Bool { state.finished }

    /// Reads and discards what the handler left, up to `.end`, and tells how the body ended.
    func drain() async -> Ending {
        while (try? await state.next()) != nil {}
        return state.ending
    }
}

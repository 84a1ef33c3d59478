import AmanatForms
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// The property FuzzHTTPRequest checks, shared with the unit test that replays its corpus (AmanatFormsTests'
/// FuzzCorpusTests links this file, Validation.swift and ShippedForm.swift). The bytes go through NIO's
/// HTTPRequestDecoder, as on amanatd's socket; every complete request's body then goes the way amanatd's intake core
/// takes it, through the same `Submission.decode`. Nothing may trap, and every parsed JSON document and every
/// validated section must round-trip through canonical JSON. Returns the first broken rule, or nil.
func httpRequestViolation(_ bytes: [UInt8]) -> String? {
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    do {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
    } catch {
        return "cannot set up the pipeline: \(error)"
    }
    var buffer = channel.allocator.buffer(capacity: bytes.count)
    buffer.writeBytes(bytes)
    // A framing error ends the connection, as it does in amanatd; requests completed before it still count.
    _ = try? channel.writeInbound(buffer)

    var body: [UInt8] = []
    var inRequest = false
    while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
        switch part {
        case .head(let head):
            inRequest = true
            body = []
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > Limits.maxBodyBytes {
                inRequest = false
            }
        case .body(let chunk):
            guard inRequest else { continue }
            if body.count + chunk.readableBytes > Limits.maxBodyBytes {
                inRequest = false
                continue
            }
            body.append(contentsOf: chunk.readableBytesView)
        case .end:
            guard inRequest else { continue }
            inRequest = false
            // Every method and path: validation must survive whatever body reaches it.
            if let violation = bodyViolation(body) { return violation }
        }
    }
    return nil
}

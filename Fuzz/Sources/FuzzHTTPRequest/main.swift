// libFuzzer target: an HTTP/1.1 request with its JSON body, through amanatd's validation.
//
// The bytes go through NIO's HTTPRequestDecoder, as on amanatd's socket. Every complete request's body then goes
// the way amanatd's intake core takes it, through the same Submission.decode (see Validation.swift). Invariants: nothing traps; every parsed JSON
// document and every validated section round-trips through canonical JSON.
import AmanatForms
import AmanatJSON
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// Runs once before the first input, so that loading the shipped form is not charged to an input's time.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer, _ argv: UnsafeMutableRawPointer) -> CInt {
    _ = shippedForm
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    do {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
    } catch {
        fatalError("cannot set up the pipeline: \(error)")
    }
    var buffer = channel.allocator.buffer(capacity: size)
    buffer.writeBytes(UnsafeRawBufferPointer(start: data, count: size))
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
            if let testimony = validateLikeAmanatd(body) {
                checkSections(testimony)
            }
        }
    }
    return 0
}

/// Incremental HTTP/1.1 response parser over a `ByteSource` (RFC 9112).
struct ResponseReader<Source: ByteSource> {
    static var defaultMaxHeaderBytes: Int { 64 * 1024 }
    static var defaultMaxBodyBytes: Int { 64 * 1024 * 1024 }
    /// Chunk-size lines are tiny in practice; the limit only stops a peer from streaming one endless line.

    private enum Framing {
        case none
        case length(Int)
    }

    private let source: Source
    private let maxHeaderBytes: Int
    private let maxBodyBytes: Int
    private let headerTooLarge: ClientError
    /// Received bytes not yet consumed start at `position`.
    private var buffer: [UInt8] = []
    private var position = 0
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

    init(source: Source, maxHeaderBytes: Int = defaultMaxHeaderBytes, maxBodyBytes: Int = defaultMaxBodyBytes) {
        self.source = source
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        headerTooLarge = ClientError(.malformed(reason: "headers exceed \(byteCountDescription(maxHeaderBytes))"))
    }

    /// Reads one complete response; `requestMethod` matters because a HEAD response has no body. With
    /// `sink`, the body of a 200 response with a Content-Length goes to `sink` in pieces instead of into
    /// memory, and may exceed the body limit.
    mutating func readResponse(
        requestMethod: String, streamingTo sink: ((ArraySlice<UInt8>) throws(ClientError) -> Void)? = nil
    ) throws(ClientError) -> HTTPResponse {
        var headerBudget = maxHeaderBytes
        var (status, headers) = try readHead(budget: &headerBudget)
        // Interim responses (100 Continue, 103 Early Hints) precede the real one and carry no body.
        while (100..<200).contains(status) {
            guard status != 101 else {
                throw ClientError(.malformed(reason: "unexpected protocol switch"))
            }
            (status, headers) = try readHead(budget: &headerBudget)
        }
        var response = HTTPResponse(status: status, headers: headers)
        switch try framing(for: response, requestMethod: requestMethod, streaming: sink != nil && status == 200) {
        case .none:
            break
        case .length(let length):
            if let sink, status == 200 {
                try streamBytes(length, to: sink)
            } else {
                try readBytes(length, into: &response.body)
            }
        }
        return response
    }

    // MARK: - Head

    private mutating func readHead(budget: inout Int) throws(ClientError) -> (Int, [(name: String, value: String)]) {
        let status = try parseStatusLine(readLine(budget: &budget, tooLong: headerTooLarge))
        var headers: [(name: String, value: String)] = []
        while true {
            let line = try readLine(budget: &budget, tooLong: headerTooLarge)
            if line.isEmpty {
                return (status, headers)
            }
            headers.append(try parseHeaderLine(line))
        }
    }

    private func parseStatusLine(_ line: ArraySlice<UInt8>) throws(ClientError) -> Int {
        let malformed = ClientError(.malformed(reason: "bad status line"))
        // "HTTP/1.x 200" is 12 bytes; the reason phrase after it is optional and ignored.
        let prefix = Array("HTTP/1.".utf8)
        guard line.count >= 12, line.starts(with: prefix) else {
            throw malformed
        }
        let bytes = Array(line)
        guard isDigit(bytes[7]), bytes[8] == space, bytes.count == 12 || bytes[12] == space else {
            throw malformed
        }
        var status = 0
        for byte in bytes[9..<12] {
            guard isDigit(byte) else {
                throw malformed
            }
            status = status * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard (100...599).contains(status) else {
            throw malformed
        }
        return status
    }

    private func parseHeaderLine(_ line: ArraySlice<UInt8>) throws(ClientError) -> (name: String, value: String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw ClientError(.malformed(reason: "header line without a colon"))
        }
        let name = line[..<colon]
        // Also rejects obsolete line folding and whitespace before the colon, both smuggling vectors.
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            throw ClientError(.malformed(reason: "bad header name"))
        }
        let value = trimmingWhitespace(line[(colon + 1)...])
        guard value.allSatisfy({ $0 == tab || $0 >= space && $0 != 0x7F }) else {
            throw ClientError(.malformed(reason: "control character in header value"))
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    // MARK: - Body

    private func framing(for response: HTTPResponse, requestMethod: String, streaming: Bool = false) throws(ClientError) -> Framing {
        if requestMethod == "HEAD" || response.status == 204 || response.status == 304 {
            return .none
        }
        // amanatd frames every body with Content-Length (PROTOCOL.md): a chunked or unframed answer is not from it.
        guard response.values(forHeader: "Transfer-Encoding").isEmpty else {
            throw ClientError(.malformed(reason: "unexpected transfer-encoding"))
        }
        let lengths = listElements(response.values(forHeader: "Content-Length"))
        guard let first = lengths.first else {
            throw ClientError(.malformed(reason: "no content-length"))
        }
        // Repeated but identical values are tolerated (RFC 9110 section 8.6); differing ones are ambiguous.
        guard lengths.allSatisfy({ $0 == first }), let length = parseDecimal(first) else {
            throw ClientError(.malformed(reason: "bad content-length"))
        }
        guard length <= maxBodyBytes || streaming else {
            throw ClientError(.bodyTooLarge(limit: maxBodyBytes))
        }
        return .length(length)
    }

    private mutating func streamBytes(_ count: Int, to sink: (ArraySlice<UInt8>) throws(ClientError) -> Void) throws(ClientError) {
        var needed = count
        while needed > 0 {
            if position == buffer.count, try !fill() {
                throw ClientError(.connectionClosed)
            }
            let end = position + min(needed, buffer.count - position)
            try sink(buffer[position..<end])
            needed -= end - position
            position = end
        }
    }

    private mutating func readBytes(_ count: Int, into body: inout [UInt8]) throws(ClientError) {
        body.reserveCapacity(body.count + count)
        var needed = count
        while needed > 0 {
            if position == buffer.count, try !fill() {
                throw ClientError(.connectionClosed)
            }
            let end = position + min(needed, buffer.count - position)
            body.append(contentsOf: buffer[position..<end])
            needed -= end - position
            position = end
        }
    }

    // MARK: - Buffering

    /// Returns the next line without its LF (or CRLF), charging the bytes consumed to `budget`.
    private mutating func readLine(
        budget: inout Int,
        tooLong: ClientError
    ) throws(ClientError) -> ArraySlice<UInt8> {
        var scanned = position
        while true {
            if let newline = buffer[scanned...].firstIndex(of: lineFeed) {
                let consumed = newline + 1 - position
                guard consumed <= budget else {
                    throw tooLong
                }
                budget -= consumed
                var line = buffer[position..<newline]
                if line.last == carriageReturn {
                    line.removeLast()
                }
                position = newline + 1
                return line
            }
            guard buffer.count - position < budget else {
                throw tooLong
            }
            scanned = buffer.count
            let offset = scanned - position
            guard try fill() else {
                throw ClientError(.connectionClosed)
            }
            // `fill` may have moved the unread bytes to the front of the buffer.
            scanned = position + offset
        }
    }

    /// Appends newly received bytes to `buffer`; returns false at end of stream.
    private mutating func fill() throws(ClientError) -> Bool {
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        } else if position >= scratch.count {
            // Drop consumed bytes now and then so a long body does not pin all of them in memory.
            buffer.removeSubrange(..<position)
            position = 0
        }
        let source = self.source
        // A Result carries the typed error out, since Array's closure-taking methods only rethrow `any Error`.
        let received = try scratch.withUnsafeMutableBytes { bytes in
            Result { () throws(ClientError) in try source.receive(into: bytes) }
        }.get()
        buffer.append(contentsOf: scratch[..<received])
        return received > 0
    }
}

// MARK: - Byte helpers

private let space = UInt8(ascii: " ")
private let tab = UInt8(ascii: "\t")
private let carriageReturn = UInt8(ascii: "\r")
private let lineFeed = UInt8(ascii: "\n")

private func isDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}

/// `tchar` from RFC 9110 section 5.6.2.
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
         UInt8(ascii: "0")...UInt8(ascii: "9"),
         UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
         UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
         UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        true
    default:
        false
    }
}

private func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    let isWhitespace = { (byte: UInt8) in byte == space || byte == tab }
    guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
          let last = bytes.lastIndex(where: { !isWhitespace($0) }) else {
        return []
    }
    return bytes[first...last]
}

/// Splits comma-separated field values into trimmed, non-empty elements.
private func listElements(_ values: [String]) -> [String] {
    values.flatMap { value in
        value.split(separator: ",").compactMap { element in
            let trimmed = trimmingWhitespace(ArraySlice(element.utf8))
            return trimmed.isEmpty ? nil : String(decoding: trimmed, as: UTF8.self)
        }
    }
}

private func parseDecimal(_ text: String) -> Int? {
    let bytes = Array(text.utf8)
    // Eighteen digits cannot overflow Int64, and no acceptable body comes anywhere near that.
    guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy(isDigit) else {
        return nil
    }
    return bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
}

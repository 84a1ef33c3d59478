import CLibFuzzer
import Glibc

/// libFuzzer's mutations insert and erase bytes, which leaves a request's Content-Length wrong: the body then
/// never completes, or its tail is read as the next request, and the fuzzer rarely gets past framing into the
/// JSON and validation. After each mutation this sets the Content-Length of the request that runs to the end
/// of the input to the number of bytes that follow its head. One mutation in eight is left as it is, so that
/// wrong lengths, chunked bodies and pipelining are still fuzzed.
@_cdecl("LLVMFuzzerCustomMutator")
public func mutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: CUnsignedInt) -> Int {
    let mutated = LLVMFuzzerMutate(data, size, maxSize)
    guard seed % 8 != 0 else { return mutated }
    return fixContentLength(data, size: mutated, maxSize: maxSize)
}

/// Rewrites the digits of the last request's Content-Length; returns the new size.
func fixContentLength(_ data: UnsafeMutablePointer<UInt8>, size: Int, maxSize: Int) -> Int {
    let bytes = UnsafeMutableBufferPointer(start: data, count: size)
    var start = 0
    while let headEnd = find([13, 10, 13, 10], in: bytes, from: start) {
        let bodyStart = headEnd + 4
        guard let digits = contentLengthDigits(in: bytes, start..<headEnd) else {
            start = bodyStart
            continue
        }
        let declared = Int(String(decoding: bytes[digits], as: UTF8.self))
        if let declared, declared < size - bodyStart {
            start = bodyStart + declared  // another request follows this one
            continue
        }
        let wanted = Array(String(size - bodyStart).utf8)
        let newSize = size - digits.count + wanted.count
        guard newSize <= maxSize else { return size }
        // Move the rest of the input to make room for the new digits, then write them.
        memmove(data + digits.lowerBound + wanted.count, data + digits.upperBound, size - digits.upperBound)
        for (offset, digit) in wanted.enumerated() { data[digits.lowerBound + offset] = digit }
        return newSize
    }
    return size
}

private func find(_ needle: [UInt8], in bytes: UnsafeMutableBufferPointer<UInt8>, from start: Int) -> Int? {
    guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
    for index in start...(bytes.count - needle.count) where bytes[index] == needle[0] {
        if (1..<needle.count).allSatisfy({ bytes[index + $0] == needle[$0] }) { return index }
    }
    return nil
}

/// The range of the digits of a `Content-Length:` header line within `head`, if there is one.
private func contentLengthDigits(in bytes: UnsafeMutableBufferPointer<UInt8>, _ head: Range<Int>) -> Range<Int>? {
    let name = Array("content-length:".utf8)
    var lineStart = head.lowerBound
    while lineStart < head.upperBound {
        var lineEnd = lineStart
        while lineEnd < head.upperBound, bytes[lineEnd] != 10 { lineEnd += 1 }
        if lineEnd - lineStart > name.count,
            (0..<name.count).allSatisfy({ bytes[lineStart + $0] | 0x20 == name[$0] | 0x20 })
        {
            var first = lineStart + name.count
            while first < lineEnd, bytes[first] == 32 || bytes[first] == 9 { first += 1 }
            var last = first
            while last < lineEnd, (48...57).contains(bytes[last]) { last += 1 }
            return last > first ? first..<last : nil
        }
        lineStart = lineEnd + 1
    }
    return nil
}

// In the fuzz target UploadHeaders.swift is compiled into this module; in AmanatServerTests it is amanatd's own.
#if !AMANAT_FUZZ
@testable import AmanatServer
#endif
import AmanatIntake
import Foundation
import NIOHTTP1

/// The property FuzzUploadHeaders checks, shared with the unit test that replays its corpus (AmanatServerTests'
/// FuzzCorpusTests links this file). The input is a header block, one `name:value` per line (a line without a
/// colon, or whose name is not ASCII, is skipped: NIO's parser yields only token names, and `HTTPHeaders.add` traps
/// on others), read into `HTTPHeaders` as they come, which is more than NIO's parser lets through (any byte may be
/// in a value). Returns the first broken rule, or nil.
func uploadHeadersViolation(_ bytes: [UInt8]) -> String? {
    var headers = HTTPHeaders()
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), line[..<colon].allSatisfy({ $0 < 0x80 }) else {
            continue
        }
        headers.add(
            name: String(decoding: line[..<colon], as: UTF8.self),
            value: String(decoding: line[(colon + 1)...], as: UTF8.self)
        )
    }
    for name in ["Upload-Length", "Upload-Offset"] {
        let values = headers[name]
        let expected = values.count == 1 ? referenceInteger(values[0]) : nil
        do {
            let value = try UploadHeaders.integer(headers, name)
            guard value == expected else { return "\(name): took \(value), RFC 9651 gives \(String(describing: expected))" }
            // What amanatd sends back in answers must read back as what it stored.
            let status = UploadStatus(id: UploadID(hex: String(repeating: "0", count: 32))!, ownerUID: 0,
                                      length: value, offset: value, ciphertextSHA256: nil)
            var answer = HTTPHeaders()
            for (header, text) in UploadHeaders.state(status) { answer.add(name: header, value: text) }
            guard (try? UploadHeaders.integer(answer, "Upload-Offset")) == value,
                  (try? UploadHeaders.boolean(answer, "Upload-Complete", required: true)) == true
            else { return "UploadHeaders.state(\(value)) does not read back" }
        } catch {
            if expected != nil { return "\(name): refused the valid Integer \(expected!)" }
            if let violation = refusalViolation(error, name: name) { return violation }
        }
    }
    let values = headers["Upload-Complete"]
    let expected = values.count == 1 ? referenceBoolean(values[0]) : nil
    for required in [false, true] {
        do {
            let value = try UploadHeaders.boolean(headers, "Upload-Complete", required: required)
            if values.isEmpty && !required {
                guard value == nil else { return "Upload-Complete: absent and not required, but read as \(value!)" }
            } else {
                guard let value, value == expected else { return "Upload-Complete: took a value RFC 9651 does not give" }
            }
        } catch {
            if expected != nil { return "Upload-Complete: refused the valid Boolean" }
            if values.isEmpty && !required { return "Upload-Complete: refused when absent and not required" }
            if let violation = refusalViolation(error, name: "Upload-Complete") { return violation }
        }
    }
    return nil
}

/// RFC 9651 section 4.2.4 for an Integer without parameters, after the field value's surrounding SP and HTAB are
/// removed (RFC 9110 section 5.5): an optional `-`, then 1 to 15 digits. amanatd takes no sign: a length or an offset
/// is never negative, so `-0` and negatives are refused too.
func referenceInteger(_ value: String) -> Int? {
    let bytes = Array(value.utf8)
    let isOWS = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
    guard let first = bytes.firstIndex(where: { !isOWS($0) }), let last = bytes.lastIndex(where: { !isOWS($0) })
    else { return nil }
    let digits = bytes[first...last]
    guard (1...15).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
    return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
}

/// RFC 9651 section 4.2.8 for a Boolean without parameters: `?0` or `?1`, surrounding SP and HTAB removed.
func referenceBoolean(_ value: String) -> Bool? {
    let bytes = Array(value.utf8)
    let isOWS = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
    guard let first = bytes.firstIndex(where: { !isOWS($0) }), let last = bytes.lastIndex(where: { !isOWS($0) }),
          last == first + 1, bytes[first] == UInt8(ascii: "?")
    else { return nil }
    switch bytes[last] {
    case UInt8(ascii: "0"): return false
    case UInt8(ascii: "1"): return true
    default: return nil
    }
}

/// A refusal must be `invalid-upload-request`, one line, naming the header, and quoting none of its values.
func refusalViolation(_ error: IntakeError, name: String) -> String? {
    guard error.kind == .invalidUploadRequest else { return "\(name): refused as \(error.kind)" }
    guard !error.detail.contains("\n"), !error.detail.contains("\r") else { return "\(name): refusal is not one line" }
    guard error.detail.hasPrefix("send \(name) once") || error.detail.hasPrefix("\(name) must be") else {
        return "\(name): refusal does not name the header"
    }
    // The text after the header's name is fixed; a value would show there.
    let fixed = [
        "send \(name) once, as a whole number of bytes", "\(name) must be a whole number of bytes (at most 15 digits)",
        "send \(name) once, as ?0 or ?1", "\(name) must be ?0 or ?1",
    ]
    guard fixed.contains(error.detail) else { return "\(name): refusal says more than its fixed text" }
    return nil
}

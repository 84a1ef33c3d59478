// libFuzzer target: the `attachments` of a request body (POST /v1/records/{id}/attachments, and the same member of
// POST /v1/testimonies): amanatd's `IntakeCore.evidenceBody` with the file keys' secret paths, then
// `AttachmentRequest.keys(in:at:)` and `AttachmentRequest.decodeList`.
//
// Invariants (AttachmentRequestProperty.swift, which `make test` also runs on the corpus): the parsed tree never
// holds a key's text; every accepted element keeps each rule of PROTOCOL.md 2.10, and its key is the 32 bytes its
// base64 gives; the metadata amanatd seals for it is the canonical JSON of FORMAT.md section 14, which the key
// holder's parser reads back to the same values; a refusal is one of amanatd's fixed texts, never quoting a value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = attachmentRequestViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}

// libFuzzer target: the sealed attachment metadata the key holder reads after opening an attachment envelope,
// `AttachmentMetadata(plaintext:attachmentID:storedSize:)` (AmanatKeys), whose file key goes straight from the
// plaintext's bytes into protected memory.
//
// Invariants (AttachmentMetadataProperty.swift, which `make test` also runs on the corpus): it takes exactly what
// a plain reading of FORMAT.md section 14 takes (the parser as it was before the key stayed out of `String`s), with
// the same name, media type, size, hash and key; it refuses the same plaintext for another stored size or another
// attachment; a refusal is one of its fixed one-line texts.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = attachmentMetadataViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}

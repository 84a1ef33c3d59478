// libFuzzer target: the key holder's attachment stream reader, `FileStreamReader` (AmanatKeys) over
// `FileStreamDecryptor`, under a fixed TEST-ONLY key (that of Tests/Vectors/stream/).
//
// The input is the sealed size (8 bytes, little-endian, taken modulo 2^20), the sealed SHA-256 (32 bytes), then
// the stored stream. Invariants (AttachmentStreamProperty.swift, which `make test` also runs on the corpus): the
// reader never traps and refuses with a one-line "tampered: " reason; a stream it accepts gives exactly the
// sealed size of bytes with the sealed SHA-256, gives the same bytes however it is cut into pieces, and the same
// file sealed again by amanat's `FileStreamEncryptor` reads back to it; and every mutation tried of an accepted
// stream (a flipped bit at each place or at sampled places, a cut, an extra byte, two chunks swapped, another
// size or hash) is refused.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = attachmentStreamViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}

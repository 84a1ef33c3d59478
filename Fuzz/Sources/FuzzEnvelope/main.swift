// libFuzzer target: the envelope parser, `Envelope(decoding:)`, and `KeyRing.open` behind it.
//
// Invariants: an envelope that parses encodes back to exactly the input bytes (one envelope has one encoding);
// `KeyRing.open` throws or returns, never traps, and refuses an envelope asked for under the wrong section.
import AmanatKeys
import AmanatFormat
import AmanatForms

/// Runs once before the first input, so that loading the test key (Argon2id) is not charged to an input's time.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer, _ argv: UnsafeMutableRawPointer) -> CInt {
    _ = keyRing
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let envelope = try? Envelope(decoding: bytes)
    if let envelope, envelope.encoded() != bytes {
        fatalError("Envelope(decoding:) accepted bytes that encoded() does not give back")
    }

    // Ask for the envelope's own section and record, so that opening gets as far as the stanzas.
    let section = envelope?.section ?? .identity
    let recordID = envelope?.recordID ?? vectorRecordID
    do {
        let plaintext = try keyRing.open(bytes, section: section, recordID: recordID)
        guard let envelope else { fatalError("KeyRing.open opened bytes that Envelope(decoding:) refuses") }
        guard plaintext.count < envelope.ciphertext.count else {
            fatalError("KeyRing.open returned more plaintext than the padded ciphertext holds")
        }
    } catch {
        if envelope == nil, case .noMatchingKey = error.kind {
            fatalError("KeyRing.open reported no matching key for bytes that are not an envelope")
        }
    }

    if let envelope {
        let other: Section = envelope.section == .identity ? .testimony : .identity
        do {
            _ = try keyRing.open(bytes, section: other, recordID: envelope.recordID)
            fatalError("KeyRing.open opened an envelope under another section")
        } catch {
            guard error.kind == .tampered("envelope is for another section") else {
                fatalError("KeyRing.open gave \(error) for an envelope asked for under another section")
            }
        }
    }
    return 0
}

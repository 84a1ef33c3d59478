import AmanatKeys
import AmanatFormat
import AmanatForms

/// The property FuzzEnvelope checks, shared with the unit test that replays its corpus (AmanatKeysTests'
/// FuzzCorpusTests links this file and TestKey.swift): an envelope that parses encodes back to exactly the input
/// bytes (one envelope has one encoding); `KeyRing.open` throws or returns, never traps, and refuses an envelope
/// asked for under the wrong name. Returns the first broken rule, or nil.
func envelopeViolation(_ bytes: [UInt8], keyRing: KeyRing) -> String? {
    let envelope = try? Envelope(decoding: bytes)
    if let envelope, envelope.encoded() != bytes {
        return "Envelope(decoding:) accepted bytes that encoded() does not give back"
    }

    // Ask for the envelope's own name and record, so that opening gets as far as the stanzas.
    let name = envelope?.name ?? .identity
    let recordID = envelope?.recordID ?? vectorRecordID
    do {
        let plaintext = try keyRing.open(bytes, name: name, recordID: recordID)
        guard let envelope else { return "KeyRing.open opened bytes that Envelope(decoding:) refuses" }
        guard plaintext.count < envelope.ciphertext.count else {
            return "KeyRing.open returned more plaintext than the padded ciphertext holds"
        }
    } catch {
        if envelope == nil, case .noMatchingKey = error.kind {
            return "KeyRing.open reported no matching key for bytes that are not an envelope"
        }
    }

    if let envelope {
        let other: Envelope.Name = envelope.name == .identity ? .testimony : .identity
        do {
            _ = try keyRing.open(bytes, name: other, recordID: envelope.recordID)
            return "KeyRing.open opened an envelope under another section"
        } catch {
            guard error.kind == .tampered("envelope is for another section") else {
                return "KeyRing.open gave \(error) for an envelope asked for under another section"
            }
        }
    }
    return nil
}

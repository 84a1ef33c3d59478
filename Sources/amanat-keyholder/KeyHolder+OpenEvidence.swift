import AmanatArchive
import AmanatCrypto
import AmanatFormat
import AmanatForms
import AmanatKeys
import AmanatReports

/// An attachment whose metadata opened on a worker, waiting for the calling thread to extract its file (the
/// stream is read in archive order there). Holds the file key, in protected memory; workers never share it.
final class PendingExtraction: @unchecked Sendable {
    let row: AttachmentRow
    let metadata: AttachmentMetadata
    /// Its place in the record's ``OpenedRecord/attachments``.
    let index: Int

    init(row: AttachmentRow, metadata: AttachmentMetadata, index: Int) {
        self.row = row
        self.metadata = metadata
        self.index = index
    }
}

extension KeyHolder.Open {
    /// Opens the addenda and the attachments' metadata of `record` (none for a withdrawn record) with `ring`:
    /// addenda when the testimony section is requested, attachments when the section they are sealed to is.
    /// Each that does not open is listed with its reason. With `directory`, returns each opened attachment for
    /// extraction, with the path of its new file.
    static func openEvidence(
        _ evidence: RecordEvidence, of record: StoredRecord, with ring: KeyRing, requested: [Section],
        directory: String?
    ) -> (attachments: [OpenedAttachment], addenda: [OpenedAddendum], pending: [PendingExtraction]) {
        guard !record.withdrawn else { return ([], [], []) }
        var attachments: [OpenedAttachment] = []
        var addenda: [OpenedAddendum] = []
        var pending: [PendingExtraction] = []
        for row in evidence.attachments where requested.contains(row.sealedTo) {
            do throws(OpenedRecord.Failure) {
                var plaintext = try openEnvelope(row.envelope, name: .attachment, recordID: record.recordID, ring: ring)
                // It holds the file key's text: wiped once the key is in protected memory.
                defer { wipe(&plaintext) }
                let metadata = try AttachmentMetadata(plaintext: plaintext, row: row)
                var opened = OpenedAttachment(
                    attachmentID: row.attachmentID.hex, position: row.position, name: metadata.name,
                    mediaType: metadata.mediaType, size: metadata.size, sha256: Hex.encode(metadata.sha256)
                )
                if let directory {
                    opened.path = directory + "/"
                        + SafeName.fileName(recordID: record.recordID.text, position: row.position, name: metadata.name)
                    pending.append(PendingExtraction(row: row, metadata: metadata, index: attachments.count))
                }
                attachments.append(opened)
            } catch {
                attachments.append(OpenedAttachment(
                    attachmentID: row.attachmentID.hex, position: row.position, failure: error
                ))
            }
        }
        if requested.contains(.testimony) {
            for row in evidence.addenda {
                do throws(OpenedRecord.Failure) {
                    let plaintext = try openEnvelope(row.envelope, name: .addendum, recordID: record.recordID, ring: ring)
                    let content = try AddendumContent(plaintext: plaintext, row: row)
                    addenda.append(OpenedAddendum(
                        addendumID: row.addendumID.hex, position: row.position, text: content.text, fields: content.fields
                    ))
                } catch {
                    addenda.append(OpenedAddendum(addendumID: row.addendumID.hex, position: row.position, failure: error))
                }
            }
        }
        return (attachments, addenda, pending)
    }

    private static func openEnvelope(
        _ envelope: [UInt8], name: Envelope.Name, recordID: RecordID, ring: KeyRing
    ) throws(OpenedRecord.Failure) -> [UInt8] {
        do throws(OpenError) {
            return try ring.open(envelope, name: name, recordID: recordID)
        } catch {
            if case .noMatchingKey = error.kind { throw .noKey(error.description) }
            throw .tampered(error.description)
        }
    }

    /// Extracts each of `pending` into its file, in order, and marks in `record` those that did not come out
    /// (removing their files). A failure to write (a full disk) stops the run. Returns the warning for the
    /// attachments that did not, if any.
    static func extract(
        _ pending: [PendingExtraction], of record: inout OpenedRecord, with extractor: AttachmentExtractor,
        progress: ProgressBar
    ) throws -> String? {
        var failures: [String] = []
        for item in pending {
            guard let path = record.attachments[item.index].path else { continue }
            let label = "extracting \(record.recordID)-\(item.row.position)"
            let bar = TransferBar(total: item.row.storedSize, label: label)
            defer { bar.finish() }
            do {
                try progress.interrupt(throwing: {
                    try extractor.extract(item.row, metadata: item.metadata, to: path) { bar.update($0) }
                })
            } catch let failure as OpenedRecord.Failure {
                record.attachments[item.index].path = nil
                record.attachments[item.index].failure = failure
                failures.append("attachment \(item.row.position): \(failure.detail)")
            }
        }
        return failures.isEmpty ? nil : "record \(record.recordID): " + failures.joined(separator: "; ")
    }
}

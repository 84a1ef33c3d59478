import AmanatClient
import AmanatProtocol

/// The finished uploads of one testimony's files, kept across tries of the request that binds them: when that
/// request fails (amanatd restarted, the connection broke, the guided intake's send was refused), the next try
/// binds the same uploads instead of sending gigabytes again. Their keys stay in protected memory
/// (``UploadedFile/key``) meanwhile, in this process only; amanatd removes an upload nobody binds by itself
/// (`upload_expiry_seconds`).
///
/// Before a try reuses an upload, `HEAD` must show it whole (`Upload-Complete: ?1`, its offset its length): an upload
/// that expired or was removed is sent again, whole, under a new id and key.
final class KeptUploads {
    /// The uploads kept, in the order their files were sent.
    private(set) var uploads: [UploadedFile] = []
    /// Set when a binding request of these uploads may have arrived but its answer never came: if the testimony was
    /// stored, it claimed them all.
    var unanswered = false
    /// The client they were sent through, to remove them.
    private var client: UnixHTTPClient?

    /// What amanatd holds of an upload now.
    enum Holding {
        /// Every byte, durably: it can be bound.
        case whole
        /// Nothing (404): it expired, was removed, or a stored testimony bound it.
        case gone
        /// Something else (a part): it cannot be bound as it is.
        case unusable
    }

    /// Asks amanatd (`HEAD /v1/uploads/{id}`) what it holds of `upload`.
    static func holding(_ upload: UploadedFile, client: UnixHTTPClient) throws(ClientError) -> Holding {
        let response = try client.request(method: "HEAD", path: Endpoint.upload(upload.uploadID))
        if response.status == 404 { return .gone }
        let offset = response.value(forHeader: "Upload-Offset").flatMap(UInt64.init)
        guard response.isSuccess, response.value(forHeader: "Upload-Complete") == "?1", offset == upload.storedSize
        else { return .unusable }
        return .whole
    }

    /// The uploads of `files`, in their order: each kept upload of the same, unchanged file that amanatd still
    /// holds whole is used again; every other file is sent with `uploader` (which then owns its new upload until
    /// it is kept). Kept uploads of files no longer in the list are removed. Returns the uploads and how many were
    /// used again. A transport failure of a `HEAD` ends it with that failure; nothing kept is lost.
    func uploads(
        for files: [EvidenceFile], client: UnixHTTPClient, uploader: FileUploader
    ) throws(EvidenceError) -> (uploads: [UploadedFile], reused: Int) {
        self.client = client
        var reusable: [UploadedFile] = []
        for (index, upload) in uploads.enumerated() {
            guard files.contains(where: { $0 === upload.file }), (try? upload.file.checkUnchanged()) != nil else {
                Self.remove(upload, client: client)
                continue
            }
            let holding: Holding
            do {
                holding = try Self.holding(upload, client: client)
            } catch {
                // Those not asked about yet stay kept, for the next try.
                uploads = reusable + uploads[index...]
                throw EvidenceError(
                    UI.unexpectedAnswer(upload.file.name, error.description),
                    code: error.isConnectionFailure || FileUploader.isTransient(error) ? Exit.unreachable : Exit.failure
                )
            }
            switch holding {
            case .whole: reusable.append(upload)
            case .unusable: Self.remove(upload, client: client)
            case .gone: break
            }
        }
        uploads = reusable
        var result: [UploadedFile] = []
        var reused = 0
        for file in files {
            if let kept = reusable.first(where: { $0.file === file }) {
                result.append(kept)
                reused += 1
                continue
            }
            let sent: UploadedFile
            do {
                sent = try uploader.upload(file)
            } catch {
                // The file that failed leaves a part behind; the uploads finished before it stay kept.
                let kept = Set(uploads.map(\.uploadID))
                for id in uploader.created where !kept.contains(id) { Self.remove(id, client: client) }
                throw error
            }
            uploads.append(sent)
            result.append(sent)
        }
        return (result, reused)
    }

    /// The stored bytes of the files in `files` that have no kept upload: what a try will send, unless a kept one
    /// turns out gone.
    func storedSizeToSend(for files: [EvidenceFile]) -> UInt64 {
        files.filter { file in !uploads.contains { $0.file === file } }
            .reduce(0) { $0 + StreamPlan(plainSize: $1.size).storedSize }
    }

    /// Whether every kept upload is gone from amanatd (none was ever kept: false). After a binding request whose
    /// answer never came, that means the testimony most likely was stored and bound them: the binding claims all
    /// of a testimony's uploads in its transaction, or none.
    func allGone(client: UnixHTTPClient) throws(ClientError) -> Bool {
        guard !uploads.isEmpty else { return false }
        for upload in uploads {
            if try Self.holding(upload, client: client) != .gone { return false }
        }
        return true
    }

    /// Forgets the kept uploads without removing them: they were bound, or may have been.
    func forget() {
        uploads.removeAll()
        unanswered = false
    }

    /// Removes every kept upload from amanatd (best effort: they expire anyway) and forgets them.
    func discard() {
        if let client {
            for upload in uploads { Self.remove(upload, client: client) }
        }
        forget()
    }

    private static func remove(_ upload: UploadedFile, client: UnixHTTPClient) {
        remove(upload.uploadID, client: client)
    }

    private static func remove(_ id: String, client: UnixHTTPClient) {
        _ = try? UnixHTTPClient(socketPath: client.socketPath, timeoutSeconds: 10)
            .request(method: "DELETE", path: Endpoint.upload(id))
    }
}

import AmanatClient
import AmanatProtocol
import AmanatCrypto
import AmanatFileSealing
import AmanatFormat
import AmanatJSON
import Glibc

/// A file whose stream amanatd holds whole, in upload `uploadID`, ready to be bound to a record.
struct UploadedFile {
    let file: EvidenceFile
    let uploadID: String
    /// The file key, only ever in protected memory; it goes to amanatd inside the binding request.
    let key: SecretBytes
    /// SHA-256 of the file's own bytes (not the padding), for the chain of custody.
    let sha256: [UInt8]
    let storedSize: UInt64
}

/// Encrypts files as it reads them and sends the streams through amanatd's resumable uploads (PROTOCOL.md 2.9):
/// create the upload, then one PATCH per segment of the stream (``StreamPlan``), resuming by itself after a cut.
///
/// At the start of each segment it keeps a snapshot of the encryptor and the hasher. After a broken PATCH (the
/// connection lost, amanatd restarted) it waits, asks amanatd for the durable offset (HEAD), goes back to the
/// snapshot and encrypts the segment again, sending only what amanatd lacks: the same key and state give the same
/// ciphertext. The tag of every chunk sent is kept and compared when the chunk is made again, so a file that changed
/// meanwhile is caught instead of leaving a stream that no longer decrypts.
///
/// The key lives in this process only: when it dies, what it sent cannot be finished by anyone and expires on
/// amanatd (`upload_expiry_seconds`).
final class FileUploader {
    let client: UnixHTTPClient
    let language: IntakeLanguage
    let progress: TransferProgress
    let chunksPerSegment: UInt64
    /// The waits before each new try of a broken transfer; their count is how many tries a transfer gets.
    let retryDelays: [UInt32]
    /// Every upload created, so that a failure can remove what it leaves on amanatd.
    private(set) var created: [String] = []

    /// About two minutes in all: long enough for amanatd to restart on a busy host or an SSH link to come back,
    /// short enough that a volunteer is not left waiting on a host that is down.
    static let defaultRetryDelays: [UInt32] = [1, 2, 4, 8, 16, 30, 60]

    init(
        client: UnixHTTPClient, language: IntakeLanguage, progress: TransferProgress,
        chunksPerSegment: UInt64 = StreamPlan.defaultChunksPerSegment,
        retryDelays: [UInt32] = FileUploader.defaultRetryDelays
    ) {
        self.client = client
        self.language = language
        self.progress = progress
        self.chunksPerSegment = chunksPerSegment
        self.retryDelays = retryDelays
    }

    /// Sends `file` whole. When amanatd has lost the upload (it expired, or was removed), starts over once.
    func upload(_ file: EvidenceFile) throws(EvidenceError) -> UploadedFile {
        for attempt in 0..<2 {
            do throws(UploadStop) {
                return try uploadOnce(file)
            } catch {
                switch error {
                case .failed(let error): throw error
                case .gone where attempt == 0: note(UI.uploadGone(file.name))
                case .gone: break
                }
            }
        }
        throw EvidenceError(UI.uploadGoneAgain(file.name))
    }

    /// Removes every upload this uploader created (best effort: they expire on amanatd anyway).
    func discardUploads() {
        for id in created {
            _ = try? UnixHTTPClient(socketPath: client.socketPath, timeoutSeconds: 10)
                .request(method: "DELETE", path: Endpoint.upload(id))
        }
        created.removeAll()
    }

    // MARK: One try of a whole file

    private enum UploadStop: Error {
        case failed(EvidenceError)
        /// amanatd no longer has the upload (404).
        case gone
    }

    private func uploadOnce(_ file: EvidenceFile) throws(UploadStop) -> UploadedFile {
        let plan = StreamPlan(plainSize: file.size, chunksPerSegment: chunksPerSegment)
        let key: SecretBytes
        var encryptor: FileStreamEncryptor
        do {
            key = try SecretBytes.random(count: 32)
            encryptor = try FileStreamEncryptor(key: key)
        } catch {
            throw .failed(EvidenceError(UI.cryptoFailed))
        }
        var hasher = SHA256()
        let id = try create(file, storedSize: plan.storedSize)
        progress.begin(file.name)
        for index in 0..<plan.segmentCount {
            try send(plan.segment(index), of: file, plan: plan, to: id, encryptor: &encryptor, hasher: &hasher)
        }
        do {
            try file.checkUnchanged()
        } catch {
            throw .failed(error)
        }
        progress.completeFile(storedSize: plan.storedSize)
        return UploadedFile(file: file, uploadID: id, key: key, sha256: hasher.finalize(), storedSize: plan.storedSize)
    }

    /// `POST /v1/uploads`: the upload's id.
    private func create(_ file: EvidenceFile, storedSize: UInt64) throws(UploadStop) -> String {
        let headers = [(name: "Upload-Length", value: String(storedSize)), (name: "Upload-Complete", value: "?0")]
        var attempt = 0
        while true {
            let response: HTTPResponse
            do {
                response = try client.request(method: "POST", path: Endpoint.uploads, headers: headers)
            } catch {
                guard Self.isTransient(error) else {
                    throw .failed(
                        EvidenceError(UI.unexpectedAnswer(file.name, error.description), code: exitCode(error))
                    )
                }
                try wait(after: error.description, name: file.name, attempt: &attempt)
                continue
            }
            guard response.status == 201 else { throw .failed(refusal(response, name: file.name)) }
            guard case .object(let answer)? = try? JSONParser(maxDepth: 8).parse(response.body),
                  let id = answer["upload_id"]?.stringValue, EvidenceID(hex: id) != nil
            else {
                throw .failed(EvidenceError(UI.unexpectedAnswer(file.name, "no upload id"), code: Exit.failure))
            }
            created.append(id)
            return id
        }
    }

    // MARK: One segment

    /// Sends `segment` of the stream, resuming after cuts; on return amanatd holds it durably, and `encryptor` and
    /// `hasher` are at its end.
    private func send(
        _ segment: StreamPlan.Segment, of file: EvidenceFile, plan: StreamPlan, to id: String,
        encryptor: inout FileStreamEncryptor, hasher: inout SHA256
    ) throws(UploadStop) {
        let savedEncryptor: FileStreamEncryptor
        do {
            savedEncryptor = try encryptor.copy()
        } catch {
            throw .failed(EvidenceError(UI.cryptoFailed))
        }
        // `hasher` is a value that only a finished segment replaces (`patch`): after a failed try it is still at the
        // segment's start, the encryptor's snapshot's twin.
        var tags = ChunkTags()
        var offset = segment.storedStart
        var attempt = 0
        while true {
            do {
                try file.checkUnchanged()
            } catch {
                throw .failed(error)
            }
            if offset == segment.storedEnd {
                // amanatd holds the whole segment (its answer was lost): make it again, only to move the state on.
                var producer = SegmentProducer(
                    plan: plan, segment: segment, file: file, encryptor: encryptor, hasher: hasher, tags: tags
                )
                do {
                    try producer.run(skipping: segment.storedLength) { _ in true }
                } catch {
                    throw .failed(error)
                }
                hasher = producer.hasher
                return
            }
            let outcome = patch(
                segment, plan: plan, file: file, id: id, from: offset, encryptor: encryptor, hasher: &hasher,
                tags: &tags
            )
            switch outcome {
            case .stored:
                return
            case .failed(let error):
                throw .failed(error)
            case .gone:
                throw .gone
            case .interrupted(let reason):
                offset = try resumeOffset(after: reason, segment: segment, file: file, id: id, attempt: &attempt)
                do {
                    encryptor = try savedEncryptor.copy()
                } catch {
                    throw .failed(EvidenceError(UI.cryptoFailed))
                }
                progress.update(offset: offset, sent: 0)
                if offset > segment.storedStart {
                    note(UI.resumed(file.name, ByteCount.text(offset)))
                }
            }
        }
    }

    private enum PatchOutcome {
        case stored
        case interrupted(String)
        case failed(EvidenceError)
        case gone
    }

    /// One `PATCH` from `offset` to the segment's end, the body made as it is sent.
    private func patch(
        _ segment: StreamPlan.Segment, plan: StreamPlan, file: EvidenceFile, id: String, from offset: UInt64,
        encryptor: FileStreamEncryptor, hasher: inout SHA256, tags: inout ChunkTags
    ) -> PatchOutcome {
        let length = segment.storedEnd - offset
        let headers = [
            (name: "Upload-Offset", value: String(offset)),
            (name: "Upload-Complete", value: segment.storedEnd == plan.storedSize ? "?1" : "?0"),
        ]
        var producer = SegmentProducer(
            plan: plan, segment: segment, file: file, encryptor: encryptor, hasher: hasher, tags: tags
        )
        let progress = self.progress
        let response: HTTPResponse
        do {
            response = try client.request(
                method: "PATCH", path: Endpoint.upload(id), headers: headers,
                contentType: "application/partial-upload", contentLength: length
            ) { (writer) throws(EvidenceError) in
                try producer.run(skipping: offset - segment.storedStart) { piece in
                    let before = writer.written
                    guard writer.write(piece) else { return false }
                    progress.update(offset: offset + writer.written, sent: writer.written - before)
                    return true
                }
            }
        } catch {
            switch error {
            case .body(let error):
                return .failed(error)
            case .client(let error):
                tags = producer.tags
                guard Self.isTransient(error) else {
                    return .failed(
                        EvidenceError(UI.unexpectedAnswer(file.name, error.description), code: exitCode(error))
                    )
                }
                return .interrupted(error.description)
            }
        }
        tags = producer.tags
        switch response.status {
        case 204, 200:
            guard response.value(forHeader: "Upload-Offset").flatMap(UInt64.init) == segment.storedEnd else {
                return .interrupted("amanatd holds another length than was sent")
            }
            hasher = producer.hasher
            return .stored
        case 404:
            return .gone
        case 409:
            return .interrupted(response.problem?.message ?? "amanatd expected another offset")
        default:
            return .failed(refusal(response, name: file.name))
        }
    }

    // MARK: Resuming

    /// Waits, then asks amanatd how much of the upload it holds durably (`HEAD`): an offset inside `segment`.
    private func resumeOffset(
        after reason: String, segment: StreamPlan.Segment, file: EvidenceFile, id: String, attempt: inout Int
    ) throws(UploadStop) -> UInt64 {
        var reason = reason
        while true {
            try wait(after: reason, name: file.name, attempt: &attempt)
            let response: HTTPResponse
            do {
                response = try client.request(method: "HEAD", path: Endpoint.upload(id))
            } catch {
                guard Self.isTransient(error) else {
                    throw .failed(
                        EvidenceError(UI.unexpectedAnswer(file.name, error.description), code: exitCode(error))
                    )
                }
                reason = error.description
                continue
            }
            if response.status == 404 { throw .gone }
            guard response.isSuccess, let offset = response.value(forHeader: "Upload-Offset").flatMap(UInt64.init)
            else {
                throw .failed(refusal(response, name: file.name))
            }
            // Each segment's start was acknowledged as durable, so amanatd cannot hold less; more than the segment
            // was never sent.
            guard offset >= segment.storedStart, offset <= segment.storedEnd else {
                throw .failed(EvidenceError(UI.unexpectedAnswer(file.name, "amanatd holds \(offset) bytes")))
            }
            return offset
        }
    }

    /// Sleeps before the next try, saying so; throws once the tries are used up.
    private func wait(after reason: String, name: String, attempt: inout Int) throws(UploadStop) {
        guard attempt < retryDelays.count else {
            throw .failed(EvidenceError(UI.gaveUp(name, reason, tries: retryDelays.count + 1), code: Exit.unreachable))
        }
        let delay = retryDelays[attempt]
        attempt += 1
        note(UI.retrying(name, reason, seconds: Int(delay), attempt: attempt, of: retryDelays.count))
        var pause = timespec(tv_sec: Int(delay), tv_nsec: 0)
        var left = timespec()
        while nanosleep(&pause, &left) != 0 && errno == EINTR { pause = left }
    }

    /// Failures that a later try may not meet: the connection broke or timed out, or amanatd is not listening
    /// (it restarts). Permission and path errors will not go away by waiting.
    static func isTransient(_ error: ClientError) -> Bool {
        error.kind == .connectionLost || error.kind == .timedOut || error.kind == .connectionFailed
    }

    private func exitCode(_ error: ClientError) -> Int32 {
        error.isConnectionFailure || error.kind == .connectionLost || error.kind == .timedOut
            ? Exit.unreachable : Exit.failure
    }

    private func refusal(_ response: HTTPResponse, name: String) -> EvidenceError {
        return EvidenceError(
            UI.uploadRefused(name, UI.refusal(response)(language)),
            code: response.status >= 500 ? Exit.serverFailed : Exit.refused
        )
    }

    private func note(_ text: UIText) {
        progress.interrupt { printError(text(language)) }
    }
}


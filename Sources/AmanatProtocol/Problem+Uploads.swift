extension Problem {
    /// `404 unknown-upload`: no upload of this uid has the id (PROTOCOL.md section 2.9).
    public static let unknownUpload = Problem(
        "unknown-upload", status: 404, title: "Unknown upload",
        detail: "no upload of this user has this id (it may have expired or been deleted)"
    )

    /// `413 file-too-large`: an upload longer than `max_file_bytes`.
    public static func fileTooLarge(_ limit: Int) -> Problem {
        Problem("file-too-large", status: 413, title: "File too large",
                detail: "the file is larger than the limit of \(limit) bytes", limit: limit)
    }

    /// `429 too-many-uploads`: the uid holds `max_uploads_per_peer` uploads.
    public static func tooManyUploads(_ detail: String) -> Problem {
        Problem("too-many-uploads", status: 429, title: "Too many uploads", detail: detail)
    }

    /// `409 mismatching-upload-offset`, with the durable offset to resume from as `expected_offset`.
    public static func mismatchingUploadOffset(expected: Int) -> Problem {
        Problem("mismatching-upload-offset", status: 409, title: "Mismatching upload offset",
                detail: "the upload's durable offset is \(expected); resume from there", expectedOffset: expected)
    }

    /// `400 inconsistent-upload-length`: an append that does not fit the upload's length.
    public static func inconsistentUploadLength(_ detail: String) -> Problem {
        Problem("inconsistent-upload-length", status: 400, title: "Inconsistent upload length", detail: detail)
    }

    /// `411 length-required`: an append without Content-Length.
    public static let lengthRequired = Problem(
        "length-required", status: 411, title: "Length required", detail: "an append needs a Content-Length"
    )

    /// `400 invalid-upload-request`: missing or malformed upload headers.
    public static func invalidUploadRequest(_ detail: String) -> Problem {
        Problem("invalid-upload-request", status: 400, title: "Invalid upload request", detail: detail)
    }
}

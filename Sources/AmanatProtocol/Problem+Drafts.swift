extension Problem {
    /// `404 unknown-draft`: this uid has no draft with the id (PROTOCOL.md section 2.13): never saved, sent,
    /// discarded or expired, or another uid's.
    public static let unknownDraft = Problem(
        "unknown-draft", status: 404, title: "Unknown draft",
        detail: "this user has no draft with this id (it may have expired, been sent or been discarded)"
    )

    /// `429 too-many-drafts`: the uid holds `limit` drafts already.
    public static func tooManyDrafts(_ limit: Int) -> Problem {
        Problem("too-many-drafts", status: 429, title: "Too many drafts",
                detail: "this user holds \(limit) drafts already; send or discard one, or wait for one to expire")
    }
}

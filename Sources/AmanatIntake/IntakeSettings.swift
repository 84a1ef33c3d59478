public import AmanatCrypto
public import AmanatForms

/// What the intake core needs of the settings in force: forms, recipients, the received date's precision and
/// the JSON depth limit. A reload (SIGHUP) hands the core a new value; one request sees one value throughout.
public struct IntakeSettings: Sendable {
    /// The forms, sorted by id.
    public let forms: [Form]
    /// The same forms, by id.
    public let formsByID: [String: Form]
    /// Keys the identity section is sealed to.
    public let identityRecipients: [RecipientPublicKey]
    /// Keys the testimony section is sealed to.
    public let testimonyRecipients: [RecipientPublicKey]
    /// How precisely the received date is stored.
    public let receivedPrecision: ReceivedPrecision
    /// The deepest JSON nesting a body may have.
    public let maxJSONDepth: Int
    /// The key holders' keys a rewrap file must be signed by (one of them): `rewrap_signers`.
    public let rewrapSigners: [SigningPublicKey]
    /// How many attachments, of how many stored bytes, one record may hold: `max_attachments_per_record` and
    /// `max_record_bytes`.
    public let evidenceLimits: EvidenceLimits

    /// Settings.
    public init(
        forms: [Form], identityRecipients: [RecipientPublicKey], testimonyRecipients: [RecipientPublicKey],
        receivedPrecision: ReceivedPrecision, maxJSONDepth: Int, rewrapSigners: [SigningPublicKey] = [],
        evidenceLimits: EvidenceLimits = EvidenceLimits(maxAttachments: 64, maxBytes: 17_179_869_184)
    ) {
        self.forms = forms.sorted { $0.id < $1.id }
        self.formsByID = Dictionary(forms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.identityRecipients = identityRecipients
        self.testimonyRecipients = testimonyRecipients
        self.receivedPrecision = receivedPrecision
        self.maxJSONDepth = maxJSONDepth
        self.rewrapSigners = rewrapSigners
        self.evidenceLimits = evidenceLimits
    }

    /// The keys `section` is sealed to.
    public func recipients(for section: Section) -> [RecipientPublicKey] {
        section == .identity ? identityRecipients : testimonyRecipients
    }
}

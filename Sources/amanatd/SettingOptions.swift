import AmanatServer
import ArgumentParser

/// One option for each setting in `Setting.all`. Argument-parser needs a stored property per option; each
/// one's name and help come from its declaration, and `values` hands them on by declaration.
struct SettingOptions: ParsableArguments {
    @Option(name: Setting.socket.name, help: Setting.socket.argumentHelp) var socket: String?
    @Option(name: Setting.socketMode.name, help: Setting.socketMode.argumentHelp) var socketMode: String?
    @Option(name: Setting.database.name, help: Setting.database.argumentHelp) var database: String?
    @Option(name: Setting.forms.name, help: Setting.forms.argumentHelp) var forms: String?
    @Option(name: Setting.recipients.name, help: Setting.recipients.argumentHelp) var recipients: [String] = []
    @Option(name: Setting.identityRecipients.name, help: Setting.identityRecipients.argumentHelp)
    var identityRecipients: [String] = []
    @Option(name: Setting.testimonyRecipients.name, help: Setting.testimonyRecipients.argumentHelp)
    var testimonyRecipients: [String] = []
    @Option(name: Setting.rewrapSigners.name, help: Setting.rewrapSigners.argumentHelp)
    var rewrapSigners: [String] = []
    @Option(name: Setting.submitterGroups.name, help: Setting.submitterGroups.argumentHelp)
    var submitterGroups: [String] = []
    @Option(name: Setting.adminGroups.name, help: Setting.adminGroups.argumentHelp) var adminGroups: [String] = []
    @Flag(name: Setting.allowRoot.name, help: Setting.allowRoot.argumentHelp) var allowRoot = false
    @Option(name: Setting.receivedPrecision.name, help: Setting.receivedPrecision.argumentHelp)
    var receivedPrecision: String?
    @Option(name: Setting.logLevel.name, help: Setting.logLevel.argumentHelp) var logLevel: String?
    @Option(name: Setting.maxHeaderBytes.name, help: Setting.maxHeaderBytes.argumentHelp) var maxHeaderBytes: Int?
    @Option(name: Setting.maxBodyBytes.name, help: Setting.maxBodyBytes.argumentHelp) var maxBodyBytes: Int?
    @Option(name: Setting.maxAdminBodyBytes.name, help: Setting.maxAdminBodyBytes.argumentHelp)
    var maxAdminBodyBytes: Int?
    @Option(name: Setting.maxJSONDepth.name, help: Setting.maxJSONDepth.argumentHelp) var maxJSONDepth: Int?
    @Option(name: Setting.maxConnections.name, help: Setting.maxConnections.argumentHelp) var maxConnections: Int?
    @Option(name: Setting.maxConnectionsPerPeer.name, help: Setting.maxConnectionsPerPeer.argumentHelp)
    var maxConnectionsPerPeer: Int?
    @Option(name: Setting.maxRequestsPerPeer.name, help: Setting.maxRequestsPerPeer.argumentHelp)
    var maxRequestsPerPeer: Int?
    @Option(name: Setting.idleTimeoutSeconds.name, help: Setting.idleTimeoutSeconds.argumentHelp)
    var idleTimeoutSeconds: Int?
    @Option(name: Setting.requestTimeoutSeconds.name, help: Setting.requestTimeoutSeconds.argumentHelp)
    var requestTimeoutSeconds: Int?
    @Option(name: Setting.answerTimeoutSeconds.name, help: Setting.answerTimeoutSeconds.argumentHelp)
    var answerTimeoutSeconds: Int?
    @Option(name: Setting.stopTimeoutSeconds.name, help: Setting.stopTimeoutSeconds.argumentHelp)
    var stopTimeoutSeconds: Int?
    @Option(name: Setting.submissionsPerMinute.name, help: Setting.submissionsPerMinute.argumentHelp)
    var submissionsPerMinute: Int?
    @Option(name: Setting.checkpointIntervalSeconds.name, help: Setting.checkpointIntervalSeconds.argumentHelp)
    var checkpointIntervalSeconds: Int?
    @Option(name: Setting.maxFileBytes.name, help: Setting.maxFileBytes.argumentHelp) var maxFileBytes: Int?
    @Option(name: Setting.minFreeBytes.name, help: Setting.minFreeBytes.argumentHelp) var minFreeBytes: Int?
    @Option(name: Setting.maxUploadsPerPeer.name, help: Setting.maxUploadsPerPeer.argumentHelp)
    var maxUploadsPerPeer: Int?
    @Option(name: Setting.uploadExpirySeconds.name, help: Setting.uploadExpirySeconds.argumentHelp)
    var uploadExpirySeconds: Int?
    @Option(name: Setting.uploadSyncBytes.name, help: Setting.uploadSyncBytes.argumentHelp) var uploadSyncBytes: Int?
    @Option(name: Setting.uploadStallTimeoutSeconds.name, help: Setting.uploadStallTimeoutSeconds.argumentHelp)
    var uploadStallTimeoutSeconds: Int?
    @Option(name: Setting.maxAttachmentsPerRecord.name, help: Setting.maxAttachmentsPerRecord.argumentHelp)
    var maxAttachmentsPerRecord: Int?
    @Option(name: Setting.maxRecordBytes.name, help: Setting.maxRecordBytes.argumentHelp) var maxRecordBytes: Int?
    @Option(name: Setting.draftExpirySeconds.name, help: Setting.draftExpirySeconds.argumentHelp)
    var draftExpirySeconds: Int?

    /// The options given, by setting, in the order of `Setting.all` (which `SettingValues` checks).
    var values: SettingValues {
        SettingValues(options: [
            Setting.socket.given(socket), Setting.socketMode.given(socketMode), Setting.database.given(database),
            Setting.forms.given(forms), Setting.recipients.given(recipients),
            Setting.identityRecipients.given(identityRecipients),
            Setting.testimonyRecipients.given(testimonyRecipients), Setting.rewrapSigners.given(rewrapSigners),
            Setting.submitterGroups.given(submitterGroups),
            Setting.adminGroups.given(adminGroups), Setting.allowRoot.given(allowRoot),
            Setting.receivedPrecision.given(receivedPrecision), Setting.logLevel.given(logLevel),
            Setting.maxHeaderBytes.given(maxHeaderBytes), Setting.maxBodyBytes.given(maxBodyBytes),
            Setting.maxAdminBodyBytes.given(maxAdminBodyBytes), Setting.maxJSONDepth.given(maxJSONDepth),
            Setting.maxConnections.given(maxConnections),
            Setting.maxConnectionsPerPeer.given(maxConnectionsPerPeer),
            Setting.maxRequestsPerPeer.given(maxRequestsPerPeer), Setting.idleTimeoutSeconds.given(idleTimeoutSeconds),
            Setting.requestTimeoutSeconds.given(requestTimeoutSeconds),
            Setting.answerTimeoutSeconds.given(answerTimeoutSeconds),
            Setting.stopTimeoutSeconds.given(stopTimeoutSeconds),
            Setting.submissionsPerMinute.given(submissionsPerMinute),
            Setting.checkpointIntervalSeconds.given(checkpointIntervalSeconds),
            Setting.maxFileBytes.given(maxFileBytes), Setting.minFreeBytes.given(minFreeBytes),
            Setting.maxUploadsPerPeer.given(maxUploadsPerPeer), Setting.uploadExpirySeconds.given(uploadExpirySeconds),
            Setting.uploadSyncBytes.given(uploadSyncBytes),
            Setting.uploadStallTimeoutSeconds.given(uploadStallTimeoutSeconds),
            Setting.maxAttachmentsPerRecord.given(maxAttachmentsPerRecord),
            Setting.maxRecordBytes.given(maxRecordBytes), Setting.draftExpirySeconds.given(draftExpirySeconds),
        ])
    }
}

extension Setting {
    /// The option's name for argument-parser.
    fileprivate var name: NameSpecification { .customLong(option) }
    /// The option's `--help` text.
    fileprivate var argumentHelp: ArgumentHelp { ArgumentHelp(optionHelp) }
}

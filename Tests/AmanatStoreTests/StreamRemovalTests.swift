import Foundation
import Testing
@testable import AmanatStore

/// An erased attachment's stream is removed after the commit, except while an export copies streams: the copy's
/// rows still name it, so its removal waits until the last export ends (PROTOCOL.md 2.7 and 2.8).
@Suite("erased streams")
struct StreamRemovalTests {
    static func stream(in store: RecordStore) throws -> String {
        let name = StoreTesting.randomBytes(16).map { String(format: "%02x", $0) }.joined()
        try FileManager.default.createDirectory(atPath: store.attachmentsDirectory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: store.attachmentsDirectory + "/" + name, contents: Data([1, 2, 3]))
        return name
    }

    @Test("removal waits for every running export, then happens once the last one ends")
    func waitsForExports() async throws {
        try await withTemporaryDirectory { directory in
            let store = try RecordStore(
                path: directory.file("amanat.sqlite"), notary: StoreTesting.signingKey, logger: StoreTesting.logger
            )
            let now = try Self.stream(in: store)
            store.removeStreams([now])
            #expect(!FileManager.default.fileExists(atPath: store.attachmentsDirectory + "/" + now))

            let later = try Self.stream(in: store)
            store.beginCopyingStreams()
            store.beginCopyingStreams()
            store.removeStreams([later])
            #expect(FileManager.default.fileExists(atPath: store.attachmentsDirectory + "/" + later))
            store.endCopyingStreams()
            #expect(FileManager.default.fileExists(atPath: store.attachmentsDirectory + "/" + later), "one export still runs")
            store.endCopyingStreams()
            #expect(!FileManager.default.fileExists(atPath: store.attachmentsDirectory + "/" + later))
            // A name that is not a storage id is never a path.
            store.removeStreams(["../amanat.sqlite"])
            #expect(FileManager.default.fileExists(atPath: directory.file("amanat.sqlite")))
            await store.close()
        }
    }
}

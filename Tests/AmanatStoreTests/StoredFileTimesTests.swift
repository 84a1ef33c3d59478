import AmanatFormat
import AmanatIntake
import AmanatStore
import Foundation
import Glibc
import Testing

/// A stored file's times date it no closer than its record's `received` (SECURITY.md "File times"): when a period
/// ends, and at start-up, every file in `attachments/` gets the epoch as its access and modification times, and
/// a symbolic link planted there is not followed.
@Suite("Stored file times") struct StoredFileTimesTests {
    static func times(_ path: String, follow: Bool = true) -> (access: Int, modification: Int)? {
        var info = stat()
        guard (follow ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        return (info.st_atim.tv_sec, info.st_mtim.tv_sec)
    }

    @Test func everyStoredFileGetsTheEpochAndALinkIsNotFollowed() async throws {
        try await withTemporaryDirectory { directory in
            let (records, uploads) = try UploadAppenderTests.store(directory, syncBytes: 65_536)
            var paths: [String] = []
            for length in [1, 100_000] {
                let created = try #require(try await uploads.create(ownerUID: 1000, length: length, maxPerOwner: 8))
                let appender = try #require(try await uploads.appender(for: created))
                try await appender.write([UInt8](repeating: 7, count: length))
                _ = try await appender.finish()
                appender.close()
                paths.append(uploads.directoryPath + "/" + created.id.hex)
            }
            let outside = directory.file("outside")
            try Data("not ours".utf8).write(to: URL(fileURLWithPath: outside))
            let link = uploads.directoryPath + "/" + UploadID.random().hex
            #expect(symlink(outside, link) == 0)
            let outsideBefore = try #require(Self.times(outside))
            for path in paths { #expect(Self.times(path)?.modification ?? 0 > 0) }

            #expect(try await uploads.blurFileTimes() == 3)
            for path in paths {
                let times = try #require(Self.times(path))
                #expect(times.access == 0 && times.modification == 0)
            }
            #expect(Self.times(link, follow: false)?.modification == 0)
            #expect(Self.times(outside)?.modification == outsideBefore.modification, "the link was followed")
            await records.close()
        }
    }
}

import AmanatIntake
import AmanatStore
import Foundation
import Glibc
import Testing

/// The draft store beside the database (PROTOCOL.md section 2.13): each uid's drafts apart, the per-uid cap, a save
/// replacing the last one whole, expiry, and what a crash mid-save left removed at start.
@Suite("draft files")
struct DraftFileStoreTests {
    static func id(_ byte: Int) -> DraftID {
        DraftID(hex: String(repeating: String(format: "%02x", byte), count: 32))!
    }

    @Test("a save replaces the last one; each uid has its own drafts; a uid holds at most maxPerOwner")
    func ownersAndCap() async throws {
        try await withTemporaryDirectory { directory in
            let store = try DraftFileStore(
                databasePath: directory.file("amanat.sqlite"), limits: DraftLimits(expirySeconds: 3600, maxPerOwner: 3)
            )
            #expect(try await store.save(ownerUID: 1000, id: Self.id(1), ciphertext: [1, 2, 3]))
            #expect(try await store.save(ownerUID: 1000, id: Self.id(1), ciphertext: [4, 5]))
            #expect(try await store.load(ownerUID: 1000, id: Self.id(1)) == [4, 5])
            #expect(try await store.load(ownerUID: 1001, id: Self.id(1)) == nil, "another uid's draft does not exist")
            #expect(try await store.remove(ownerUID: 1001, id: Self.id(1)) == false)
            #expect(try await store.save(ownerUID: 1000, id: Self.id(2), ciphertext: [6]))
            #expect(try await store.save(ownerUID: 1000, id: Self.id(3), ciphertext: [7]))
            #expect(try await store.save(ownerUID: 1000, id: Self.id(4), ciphertext: [8]) == false, "over the cap")
            #expect(try await store.load(ownerUID: 1000, id: Self.id(4)) == nil)
            #expect(try await store.save(ownerUID: 1000, id: Self.id(3), ciphertext: [9]), "a replacement is taken")
            #expect(try await store.save(ownerUID: 1001, id: Self.id(4), ciphertext: [1]), "another uid's cap")
            #expect(try await store.remove(ownerUID: 1000, id: Self.id(2)))
            #expect(try await store.save(ownerUID: 1000, id: Self.id(4), ciphertext: [8]))
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.file("drafts")).sorted()
            #expect(files == ["1000-" + Self.id(1).hex, "1000-" + Self.id(3).hex, "1000-" + Self.id(4).hex,
                              "1001-" + Self.id(4).hex])
            var info = stat()
            #expect(stat(directory.file("drafts"), &info) == 0 && info.st_mode & 0o777 == 0o700)
            #expect(stat(directory.file("drafts/1000-" + Self.id(1).hex), &info) == 0 && info.st_mode & 0o777 == 0o600)
        }
    }

    @Test("an expired draft is never returned and is swept; leftovers of a save cut short go at start")
    func expiryAndLeftovers() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.file("amanat.sqlite")
            let store = try DraftFileStore(databasePath: database, limits: DraftLimits(expirySeconds: 60))
            #expect(try await store.save(ownerUID: 7, id: Self.id(1), ciphertext: [1]))
            #expect(try await store.save(ownerUID: 7, id: Self.id(2), ciphertext: [2]))
            // Saved two minutes ago, as far as the file's time says.
            let old = [timespec(tv_sec: time(nil) - 120, tv_nsec: 0), timespec(tv_sec: time(nil) - 120, tv_nsec: 0)]
            for byte in [1, 2] {
                #expect(utimensat(AT_FDCWD, directory.file("drafts/7-" + Self.id(byte).hex), old, 0) == 0)
            }
            #expect(try await store.load(ownerUID: 7, id: Self.id(1)) == nil, "expired: not returned")
            #expect(try await store.removeExpired() == 1, "the other one is swept")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("drafts")).isEmpty)

            #expect(try await store.save(ownerUID: 7, id: Self.id(3), ciphertext: [3]))
            let leftover = directory.file("drafts/.7-" + Self.id(3).hex + ".1f")
            #expect(FileManager.default.createFile(atPath: leftover, contents: Data([9])))
            _ = try DraftFileStore(databasePath: database, limits: DraftLimits(expirySeconds: 60))
            #expect(!FileManager.default.fileExists(atPath: leftover), "a save cut short leaves nothing")
            #expect(try await store.load(ownerUID: 7, id: Self.id(3)) == [3])
        }
    }
}

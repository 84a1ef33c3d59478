import Foundation

/// The fuzz targets' seed corpora and saved crash inputs, Tests/Fuzz/<target>/ and Tests/Fuzz/<target>/regressions/,
/// which the unit tests replay through the fuzz targets' own property checks (linked from Fuzz/Sources/<target>/), so
/// that `make test` catches a regression without libFuzzer.
public enum FuzzCorpus {
    /// Tests/Fuzz in this checkout.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fuzz")

    /// Every input of `target`, seeds then regressions, as paths relative to its directory ("regressions/x.toml").
    public static func inputs(_ target: String) -> [String] {
        let directory = root.appendingPathComponent(target).path
        let seeds = files(in: directory)
        let regressions = files(in: directory + "/regressions").map { "regressions/" + $0 }
        return seeds + regressions
    }

    /// The bytes of one input of `target`, named as ``inputs(_:)`` names it.
    public static func bytes(_ target: String, _ name: String) throws -> [UInt8] {
        let path = root.appendingPathComponent(target).appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        return [UInt8](data)
    }

    /// The regular files directly in `directory`, sorted; none if it does not exist.
    private static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }
}

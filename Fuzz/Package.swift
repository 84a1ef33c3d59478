// swift-tools-version:6.1
// libFuzzer targets for Amanat: built and run by scripts/fuzz.sh (`make fuzz SECONDS=N`), never by `swift build`
// at the top level. The seed corpora and regression inputs live in ../Tests/Fuzz/, one directory per target.
//
// The library targets below are symlinks to ../Sources/<name>, compiled here with the same settings as in
// ../Package.swift, so that the fuzzer's coverage instrumentation reaches them and the fuzz build never
// touches the main package's .build. Keep their dependencies in step with ../Package.swift.
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "AmanatFuzz",
    products: [
        .executable(name: "FuzzHTTPRequest", targets: ["FuzzHTTPRequest"]),
        .executable(name: "FuzzEnvelope", targets: ["FuzzEnvelope"]),
        .executable(name: "FuzzKeyFile", targets: ["FuzzKeyFile"]),
        .executable(name: "FuzzPublicKeyText", targets: ["FuzzPublicKeyText"]),
        .executable(name: "FuzzFormFile", targets: ["FuzzFormFile"]),
        .executable(name: "FuzzUploadHeaders", targets: ["FuzzUploadHeaders"]),
        .executable(name: "FuzzAttachmentRequest", targets: ["FuzzAttachmentRequest"]),
        .executable(name: "FuzzAddendum", targets: ["FuzzAddendum"]),
        .executable(name: "FuzzAttachmentMetadata", targets: ["FuzzAttachmentMetadata"]),
        .executable(name: "FuzzAttachmentStream", targets: ["FuzzAttachmentStream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
    ],
    targets: [
        // Symlinks into the main package (see above).
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .target(
            name: "AmanatCrypto", dependencies: ["CSodium", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(name: "AmanatJSON", swiftSettings: strictSettings),
        .target(
            name: "AmanatTOML", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strictSettings
        ),
        .target(name: "AmanatForms", dependencies: ["AmanatJSON"], swiftSettings: strictSettings),
        .target(name: "AmanatFormFiles", dependencies: ["AmanatForms", "AmanatTOML"], swiftSettings: strictSettings),
        .target(
            name: "AmanatFormat", dependencies: ["AmanatCrypto", "AmanatJSON", "AmanatForms"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AmanatSealing", dependencies: ["CSodium", "AmanatCrypto", "AmanatForms", "AmanatFormat"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AmanatKeys", dependencies: ["CSodium", "AmanatCrypto", "AmanatJSON", "AmanatFormat", "AmanatSealing"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AmanatFileSealing", dependencies: ["CSodium", "AmanatCrypto", "AmanatFormat"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AmanatIntake",
            dependencies: [
                "AmanatCrypto", "AmanatJSON", "AmanatForms", "AmanatFormat", "AmanatSealing",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // libFuzzer's LLVMFuzzerMutate, for FuzzHTTPRequest's custom mutator.
        .systemLibrary(name: "CLibFuzzer"),

        // The fuzz targets: each defines LLVMFuzzerTestOneInput, and libFuzzer supplies main.
        .executableTarget(
            name: "FuzzHTTPRequest",
            dependencies: [
                "AmanatJSON", "AmanatForms", "AmanatFormFiles", "CLibFuzzer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzEnvelope",
            dependencies: ["AmanatFormat", "AmanatForms", "AmanatCrypto", "AmanatKeys"],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "FuzzKeyFile", dependencies: ["AmanatKeys", "AmanatCrypto"], swiftSettings: strictSettings),
        .executableTarget(name: "FuzzPublicKeyText", dependencies: ["AmanatCrypto"], swiftSettings: strictSettings),
        .executableTarget(
            name: "FuzzFormFile", dependencies: ["AmanatFormFiles", "AmanatForms"], swiftSettings: strictSettings
        ),
        // UploadHeaders.swift is a symlink to amanatd's own file (AmanatServer is not built here: GRDB and more).
        .executableTarget(
            name: "FuzzUploadHeaders",
            dependencies: ["AmanatIntake", .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: strictSettings + [.define("AMANAT_FUZZ")]
        ),
        .executableTarget(
            name: "FuzzAttachmentRequest",
            dependencies: ["AmanatIntake", "AmanatJSON", "AmanatCrypto", "AmanatFormat", "AmanatKeys"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzAddendum",
            dependencies: ["AmanatIntake", "AmanatJSON", "AmanatForms", "AmanatFormFiles", "AmanatFormat"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzAttachmentMetadata",
            dependencies: ["AmanatKeys", "AmanatJSON", "AmanatCrypto", "AmanatFormat"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzAttachmentStream",
            dependencies: ["AmanatKeys", "AmanatFileSealing", "AmanatCrypto", "AmanatFormat"],
            swiftSettings: strictSettings
        ),
    ]
)

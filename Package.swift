// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Amanat",
    products: [
        .executable(name: "amanatd", targets: ["amanatd"]),
        .executable(name: "amanat", targets: ["amanat"]),
        .executable(name: "amanat-keyholder", targets: ["amanat-keyholder"]),
        .executable(name: "amanat-bench", targets: ["amanat-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // libsodium from Debian (libsodium-dev). Only AmanatCrypto and AmanatKeys import it: see AmanatKeys.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // prctl(2) wrappers: the C function is variadic, which Swift cannot call.
        .systemLibrary(name: "CAmanatLinux"),
        .target(name: "AmanatCrypto", dependencies: ["CSodium"], swiftSettings: strictSettings),
        .target(name: "AmanatModel", dependencies: ["AmanatCrypto"], swiftSettings: strictSettings),
        // Opening sealed boxes and secret key files. Linked by amanat-keyholder only, never by amanatd.
        .target(name: "AmanatKeys", dependencies: ["CSodium", "AmanatCrypto", "AmanatModel"], swiftSettings: strictSettings),
        .target(
            name: "AmanatStore",
            dependencies: ["AmanatModel", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AmanatServer",
            dependencies: [
                "AmanatCrypto", "AmanatModel", "AmanatStore", "CAmanatLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "AmanatClient", dependencies: ["AmanatModel"], swiftSettings: strictSettings),
        // Output files that a failure or a signal must not leave half written (amanat export, amanat-keyholder).
        .target(name: "AmanatPartialFiles", swiftSettings: strictSettings),
        // Opened records as CSV, HTML and Markdown for case workers. Linked by amanat-keyholder only.
        .target(name: "AmanatReports", dependencies: ["AmanatModel"], swiftSettings: strictSettings),
        .executableTarget(
            name: "amanatd",
            dependencies: [
                "AmanatServer", "AmanatModel", "AmanatStore", "AmanatCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "amanat",
            dependencies: [
                "AmanatClient", "AmanatModel", "AmanatPartialFiles", "CAmanatLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "amanat-keyholder",
            dependencies: [
                "AmanatKeys", "AmanatCrypto", "AmanatModel", "AmanatPartialFiles", "AmanatStore", "AmanatReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // `make bench`: drives the release binaries and measures the machine's limits. Never installed.
        .executableTarget(
            name: "amanat-bench",
            dependencies: [
                "AmanatClient", "AmanatCrypto", "AmanatKeys", "AmanatModel", "AmanatStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "AmanatCryptoTests", dependencies: ["AmanatCrypto", "CSodium"], swiftSettings: strictSettings),
        .testTarget(name: "AmanatModelTests", dependencies: ["AmanatModel", "AmanatCrypto"], swiftSettings: strictSettings),
        .testTarget(
            name: "AmanatKeysTests",
            dependencies: ["AmanatKeys", "AmanatModel", "AmanatCrypto"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "AmanatClientTests", dependencies: ["AmanatClient"], swiftSettings: strictSettings),
        .testTarget(name: "AmanatServerTests", dependencies: ["AmanatServer"], swiftSettings: strictSettings),
        .testTarget(name: "AmanatReportsTests", dependencies: ["AmanatReports", "AmanatModel"], swiftSettings: strictSettings),
        .testTarget(
            name: "AmanatStoreTests",
            dependencies: [
                "AmanatStore", "AmanatModel", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "amanatd", "amanat", "amanat-keyholder", "amanat-bench", "AmanatClient", "AmanatModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)

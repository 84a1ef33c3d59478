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
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // TOML for form files and amanatd.toml (toml++ underneath); AmanatTOML adds the project's stricter rules.
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        // SHA-256 of evidence files at the CPU's SHA extensions (BoringSSL): about 5 times libsodium's portable code.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
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
        .target(
            name: "AmanatCrypto", dependencies: ["CSodium", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // Strict JSON for hostile input, and canonical JSON (FORMAT.md). No I/O, no crypto.
        .target(name: "AmanatJSON", swiftSettings: strictSettings),
        // Form files and amanatd.toml: TOMLKit's parse, then no floats, dates or NULs, and strict table readers that
        // refuse unknown keys. Never linked by the volunteer CLI.
        .target(
            name: "AmanatTOML", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strictSettings
        ),
        // Forms, their JSON form, and the decoding and validation of a submission against one.
        .target(name: "AmanatForms", dependencies: ["AmanatJSON"], swiftSettings: strictSettings),
        // Form files (TOML) read into forms: amanatd and the key holder's reports.
        .target(name: "AmanatFormFiles", dependencies: ["AmanatForms", "AmanatTOML"], swiftSettings: strictSettings),
        // What docs/FORMAT.md specifies: record id, envelope, rewrap file, ledger, receipt, withdrawal token.
        .target(
            name: "AmanatFormat", dependencies: ["AmanatCrypto", "AmanatJSON", "AmanatForms"],
            swiftSettings: strictSettings
        ),
        // Sealing: crypto_box_seal, XChaCha20-Poly1305 encryption, envelopes. amanatd and the key holder (rewrap,
        // key files); never the volunteer CLI, which seals nothing.
        .target(
            name: "AmanatSealing", dependencies: ["CSodium", "AmanatCrypto", "AmanatForms", "AmanatFormat"], swiftSettings: strictSettings
        ),
        // Encrypting an attachment's stream (crypto_secretstream push) under a file key. amanat only: a file is
        // encrypted in the volunteer's process as it is read, so its plaintext never leaves it.
        .target(
            name: "AmanatFileSealing", dependencies: ["CSodium", "AmanatCrypto", "AmanatFormat"], swiftSettings: strictSettings
        ),
        // A guided intake's draft: its code, the id and key derived from it, and XChaCha20-Poly1305 sealing and opening
        // of its snapshot. amanat only, and the only decryption it links: it opens what it sealed itself.
        .target(name: "AmanatDraftSealing", dependencies: ["CSodium", "AmanatCrypto"], swiftSettings: strictSettings),
        // The receipt key (Ed25519 signing), the notary of amanatd. The other binaries only verify signatures.
        .target(
            name: "AmanatSigning", dependencies: ["CSodium", "AmanatCrypto", "AmanatFormat"], swiftSettings: strictSettings
        ),
        // Opening sealed boxes and secret key files. Linked by amanat-keyholder only, never by amanatd.
        .target(
            name: "AmanatKeys", dependencies: ["CSodium", "AmanatCrypto", "AmanatJSON", "AmanatFormat", "AmanatSealing"],
            swiftSettings: strictSettings
        ),
        // The protocol's problems (RFC 9457) and endpoint paths, shared by amanatd and amanat.
        .target(name: "AmanatProtocol", dependencies: ["AmanatJSON"], swiftSettings: strictSettings),
        // The intake core: submit, withdraw, rewrap, export as functions of a principal and a body, and the
        // ports it talks to (archive writer, authenticator, notary). No HTTP, no socket, no database.
        .target(
            name: "AmanatIntake",
            dependencies: [
                "AmanatCrypto", "AmanatJSON", "AmanatForms", "AmanatFormat", "AmanatSealing",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The archive as a SQLite file: schema, records, ledger tables, reading and verifying. No writer, no key.
        .target(
            name: "AmanatArchive",
            dependencies: ["AmanatFormat", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        // The daemon's archive writer: group commit, withdrawal, rewrap, export. Linked by amanatd only.
        .target(
            name: "AmanatStore",
            dependencies: [
                "AmanatArchive", "AmanatFormat", "AmanatIntake", "CAmanatLinux", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AmanatServer",
            dependencies: [
                "AmanatCrypto", "AmanatJSON", "AmanatForms", "AmanatFormFiles", "AmanatTOML", "AmanatFormat", "AmanatIntake",
                "AmanatProtocol", "AmanatSigning", "AmanatStore", "CAmanatLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AmanatClient",
            dependencies: [
                "AmanatProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // A status line (progress bar) on standard error, redrawn in place: amanat and amanat-keyholder.
        .target(name: "AmanatStatusLine", swiftSettings: strictSettings),
        // Output files that a failure or a signal must not leave half written (amanat export, amanat-keyholder).
        .target(name: "AmanatPartialFiles", swiftSettings: strictSettings),
        // Opened records as CSV, HTML and Markdown for case workers. Linked by amanat-keyholder only.
        .target(
            name: "AmanatReports", dependencies: ["AmanatJSON", "AmanatForms", "AmanatFormFiles", "AmanatFormat"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "amanatd",
            dependencies: [
                "AmanatServer", "AmanatFormat", "AmanatIntake", "AmanatSigning", "AmanatStore", "AmanatCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "amanat",
            dependencies: [
                "AmanatClient", "AmanatProtocol", "AmanatJSON", "AmanatForms", "AmanatFormat", "AmanatPartialFiles", "CAmanatLinux",
                "AmanatCrypto", "AmanatFileSealing", "AmanatStatusLine", "AmanatDraftSealing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "amanat-keyholder",
            dependencies: [
                "AmanatKeys", "AmanatCrypto", "AmanatJSON", "AmanatForms", "AmanatFormat", "AmanatArchive", "AmanatSealing",
                "AmanatPartialFiles", "AmanatReports", "AmanatStatusLine", "CAmanatLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // `make bench`: drives the release binaries and measures the machine's limits. Never installed.
        .executableTarget(
            name: "amanat-bench",
            dependencies: [
                "AmanatClient", "AmanatProtocol", "AmanatCrypto", "AmanatKeys", "AmanatSealing", "AmanatSigning", "AmanatJSON", "AmanatForms", "AmanatFormFiles", "AmanatFormat",
                "AmanatFileSealing",
                "AmanatArchive", "AmanatStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmanatCryptoTests",
            dependencies: ["AmanatCrypto", "AmanatSealing", "AmanatKeys", "CSodium", "AmanatTestSupport"],
            swiftSettings: strictSettings
        ),
        // What more than one test target uses (a seeded generator, the fuzz corpora).
        .target(name: "AmanatTestSupport", path: "Tests/Support", swiftSettings: strictSettings),
        .testTarget(name: "AmanatJSONTests", dependencies: ["AmanatJSON", "AmanatTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "AmanatTOMLTests", dependencies: ["AmanatTOML"], swiftSettings: strictSettings),
        .testTarget(
            name: "AmanatFormsTests",
            dependencies: [
                "AmanatForms", "AmanatFormFiles", "AmanatJSON", "AmanatTestSupport",
                // FuzzHTTPRequest's check, replayed on its corpus, frames requests with NIO as amanatd does.
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmanatFormatTests", dependencies: ["AmanatSigning", "AmanatFormat", "AmanatCrypto", "AmanatJSON"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmanatKeysTests",
            dependencies: [
                "AmanatSealing", "AmanatKeys", "AmanatFormat", "AmanatForms", "AmanatJSON", "AmanatCrypto",
                "AmanatTestSupport", "AmanatFileSealing",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "AmanatClientTests", dependencies: ["AmanatClient", "AmanatProtocol"], swiftSettings: strictSettings),
        // amanat's own code, in process (@testable): media types, the stream's segments, resuming, progress.
        .testTarget(
            name: "AmanatCLITests",
            // AmanatKeys only to decrypt what the uploader sent (the test's own check; amanat never links it).
            dependencies: [
                "amanat", "AmanatClient", "AmanatCrypto", "AmanatFileSealing", "AmanatFormat", "AmanatKeys",
                "AmanatDraftSealing",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmanatServerTests",
            dependencies: [
                "AmanatServer", "AmanatIntake", "AmanatProtocol", "AmanatForms", "AmanatJSON", "AmanatTestSupport",
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmanatIntakeTests",
            dependencies: ["AmanatSigning", 
                "AmanatIntake", "AmanatStore", "AmanatFormFiles", "AmanatForms", "AmanatFormat", "AmanatCrypto",
                // FuzzAttachmentRequest's check reads the metadata amanatd seals with the key holder's parser.
                "AmanatJSON", "AmanatKeys", "AmanatTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmanatReportsTests", dependencies: ["AmanatReports", "AmanatForms", "AmanatFormFiles", "AmanatJSON", "AmanatFormat"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmanatStoreTests",
            dependencies: ["AmanatSigning", 
                "AmanatStore", "AmanatArchive", "AmanatFormat", "AmanatForms", "AmanatIntake", "AmanatJSON", "AmanatCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // amanat-keyholder's own code, in process (@testable): what `open` reads, checks, splices and holds.
        .testTarget(
            name: "AmanatKeyholderTests",
            dependencies: [
                "amanat-keyholder", "AmanatSigning", "AmanatCrypto", "AmanatArchive", "AmanatFormat", "AmanatForms",
                "AmanatJSON", "AmanatReports", "AmanatStore", "AmanatKeys", "AmanatSealing",
                // Streams for the evidence tests are made as amanat makes them.
                "AmanatFileSealing",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["AmanatSigning", 
                "amanatd", "amanat", "amanat-keyholder", "amanat-bench", "AmanatClient", "AmanatProtocol", "AmanatJSON", "AmanatFormat",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)

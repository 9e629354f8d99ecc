// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ReferralTriage",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "triage", targets: ["triage"]),
        .library(name: "AhoCorasick", targets: ["AhoCorasick", "Artefacts"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The service (`triage serve`): HTTP, TLS and testing, bcrypt.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The files this project writes and maps back (saved automata,
        // compiled rule sets): one header, one loader's checks, mapping and
        // atomic writes. Pure Swift, no Foundation.
        .target(name: "Artefacts", exclude: ["DESIGN.md"]),
        // Pure Swift multi-pattern matcher: no Foundation.
        .target(name: "AhoCorasick", dependencies: ["Artefacts"], exclude: ["DESIGN.md"]),
        // Text written by hand where a generic encoder costs too much: JSON
        // (byte for byte what Foundation's sorted-keys encoder writes), hex
        // and hex SHA-256.
        .target(name: "Encoders", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The CPU's prefetch hint for hot loops, which Swift does not
        // expose: one inline C function, no library.
        .target(name: "CPrefetch"),
        // Rule language: lexer, parser, diagnostics, compiler, evaluation.
        .target(name: "TriageRules", dependencies: [
            "AhoCorasick",
            "Artefacts",
            "CPrefetch",
            "Encoders",
            "TextNormalizer",
            .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["DESIGN.md"]),
        // The few ICU calls normalisation needs, behind a header free of ICU
        // types (the only target that includes ICU's headers).
        .target(name: "CICUShim", linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n")]),
        // Text views for matching: Unicode folding, invisible characters,
        // look-alikes, leetspeak, with a map back to the source bytes.
        .target(name: "TextNormalizer", dependencies: ["CICUShim"], exclude: ["DESIGN.md", "tools"]),
        // libxml2, imported by PageText only.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // Page bytes to the text a reader sees, with offsets into the page.
        .target(name: "PageText", dependencies: ["CLibXML2", "TextNormalizer"], exclude: ["DESIGN.md"]),
        // What every front end and store speaks: referrals, assessments,
        // fetch records, cases and decisions, and their JSON. No C library.
        .target(name: "TriageModel", dependencies: ["Encoders"], exclude: ["DESIGN.md"]),
        // The pipeline: referrals in, explained assessments out (scoring,
        // evidence, duplicate cases), batch runs and their sinks, and the
        // review queue's protocols.
        .target(name: "TriageEngine", dependencies: [
            "TriageModel", "TriageRules", "PageText", "TextNormalizer", "Encoders",
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
        ], exclude: ["DESIGN.md"]),
        // libcurl, imported by PageFetch only (typed wrappers for its variadic calls).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Fetching referral URLs: http(s) only, destinations checked at the
        // socket, limits on time and size, a record of what was seen.
        .target(name: "PageFetch", dependencies: ["CCurl", "Codecs", "TriageModel", "Encoders", .product(name: "Crypto", package: "swift-crypto"),
                                        .product(name: "Logging", package: "swift-log")], exclude: ["DESIGN.md"]),
        // zlib and brotli's decoder, imported by Codecs only.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlidec", providers: [.apt(["libbrotli-dev"])]),
        // Compression for stored assessments, and capped decompression of
        // fetched bodies (gzip, deflate, brotli).
        .target(name: "Codecs", dependencies: ["CZlib", "CBrotli"]),
        // The review queue on SQLite (GRDB): cases, decisions, evidence and
        // a hash-chained audit log.
        .target(name: "TriageStore", dependencies: [
            "TriageModel", "TriageEngine", "TriageRules", "Codecs", "Encoders",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
        ], exclude: ["DESIGN.md"]),
        // The HTTP service over the engine and a queue store: intake, the
        // queue's API, accounts and tokens, health. Knows the store only by
        // the engine's protocols.
        .target(name: "TriageServer", dependencies: [
            "TriageModel", "TriageEngine", "TriageRules", "Encoders",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
        ], exclude: ["DESIGN.md"]),
        .executableTarget(
            name: "triage",
            dependencies: [
                "AhoCorasick",
                "Artefacts",
                "TriageRules",
                "TriageModel",
                "TriageEngine",
                "TriageStore",
                "TriageServer",
                "PageFetch",
                "PageText",
                "TextNormalizer",
                "Encoders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmark harness for the matcher (release builds only; see benchmarks/README.md).
        .executableTarget(
            name: "matcher-bench",
            dependencies: ["AhoCorasick"],
            path: "benchmarks/matcher/swift"
        ),
        // Benchmark harness for rule sets (release builds only; see benchmarks/README.md).
        .executableTarget(
            name: "rules-bench",
            dependencies: ["AhoCorasick", "TriageRules", "TextNormalizer"],
            path: "benchmarks/rules/swift"
        ),
        // libxml2 driven from C: the page-text benchmark's floor.
        .target(name: "SAXFloor", dependencies: ["CLibXML2"], path: "benchmarks/text/c"),
        // Benchmark harness for page text (release builds only; see benchmarks/README.md).
        .executableTarget(
            name: "text-bench",
            dependencies: ["PageText", "TextNormalizer", "SAXFloor"],
            path: "benchmarks/text/swift"
        ),
        // Benchmark harness for the review queue (release builds only; see benchmarks/README.md).
        .executableTarget(
            name: "queue-bench",
            dependencies: ["TriageStore", "TriageModel", "TriageEngine", "TriageRules"],
            path: "benchmarks/queue/swift"
        ),
        // bench-serve's load generator for single posts (release builds only; see benchmarks/README.md).
        .executableTarget(name: "serve-load", path: "benchmarks/serve/swift"),
        // Benchmark harness for fetching (release builds only; see benchmarks/README.md).
        .executableTarget(
            name: "fetch-bench",
            dependencies: ["PageFetch", .product(name: "Crypto", package: "swift-crypto")],
            path: "benchmarks/fetch/swift"
        ),
        // What the test targets share: a seeded generator for randomized tests.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "AhoCorasickTests", dependencies: ["AhoCorasick", "TestSupport"]),
        .testTarget(name: "TriageRulesTests", dependencies: ["TriageRules", "TextNormalizer", "TestSupport"], exclude: ["Diagnostics"]),
        .testTarget(name: "TextNormalizerTests", dependencies: ["TextNormalizer", "TestSupport"]),
        .testTarget(name: "PageTextTests", dependencies: ["PageText", "TestSupport"]),
        .testTarget(name: "TriageEngineTests", dependencies: ["TriageModel", "TriageEngine", "TriageRules", "Encoders", "TestSupport"]),
        .testTarget(name: "EncodersTests", dependencies: ["Encoders", "TestSupport"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "TestSupport"]),
        .testTarget(name: "PageFetchTests", dependencies: ["PageFetch", "TriageModel", "CCurl", "Codecs", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "TriageStoreTests", dependencies: [
            "TriageStore", "TriageModel", "TriageEngine", "TriageRules", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "TriageServerTests", dependencies: [
            "TriageServer", "TriageStore", "TriageModel", "TriageEngine", "TriageRules", "TestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        // The module layout's rules, read from Package.swift and the sources.
        .testTarget(name: "ArchitectureTests"),
        // Runs the built `triage` executable; golden files in Golden/.
        .testTarget(name: "TriageCLITests", dependencies: ["triage", "TriageModel", "TriageEngine", "TriageStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")], exclude: ["Golden"]),
    ]
)

// swift-tools-version: 6.1
// FieldSync: an offline-first, field-level sync backend for field sales teams.

import PackageDescription

let package = Package(
    name: "FieldSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FieldSyncModel", targets: ["FieldSyncModel"]),
        .library(name: "FieldSyncServer", targets: ["FieldSyncServer"]),
        .executable(name: "fieldsync-server", targets: ["fieldsync-server"]),
        .library(name: "FieldSyncClient", targets: ["FieldSyncClient"]),
        .executable(name: "fieldsync", targets: ["fieldsync"]),
        .library(name: "FieldSyncSim", targets: ["FieldSyncSim"]),
        .executable(name: "fieldsync-sim", targets: ["fieldsync-sim"]),
        .executable(name: "fieldsync-bench", targets: ["fieldsync-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    // Every target sits at Sources/<Target> or <part>/Sources/<Target> (server, client, sim, bench); tests at
    // Tests/<Target>Tests.
    targets: [
        // MARK: - Shared model (pure: no I/O, no dependencies)

        /// Records, schema, validation, hybrid logical clocks, mutations, field-level merge, wire messages.
        .target(name: "FieldSyncModel"),
        /// How the three binaries behave on the command line: version, exit codes, "did you mean".
        .target(
            name: "FieldSyncCommandLine",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: - Server

        /// The system OpenSSL (libssl-dev): PBKDF2, random bytes and SHA-256 for accounts and tokens.
        .systemLibrary(
            name: "COpenSSL",
            path: "server/Sources/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        /// The sync server as a library: application, routes, authentication, SQLite and PostgreSQL stores, and the
        /// manager's console (server-rendered HTML).
        .target(
            name: "FieldSyncServer",
            dependencies: [
                "FieldSyncModel",
                "COpenSSL",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "server/Sources/FieldSyncServer"
        ),
        /// The `fieldsync-server` command: serve, user administration, stats; options also from the environment
        /// and a YAML config file.
        .executableTarget(
            name: "fieldsync-server",
            dependencies: [
                "FieldSyncModel", "FieldSyncServer", "FieldSyncCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "server/Sources/fieldsync-server"
        ),

        // MARK: - Client

        /// The client as a library: local SQLite replica, pending queue, rebase, sync engine, reports.
        .target(
            name: "FieldSyncClient",
            dependencies: [
                "FieldSyncModel", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "client/Sources/FieldSyncClient"
        ),
        /// The `fieldsync` command a rep runs on a laptop.
        .executableTarget(
            name: "fieldsync",
            dependencies: [
                "FieldSyncClient", "FieldSyncCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "client/Sources/fieldsync"
        ),

        // MARK: - Simulation

        /// Simulated sales teams: real clients and a real server, faults injected, nothing-lost checks.
        .target(
            name: "FieldSyncSim",
            dependencies: [
                "FieldSyncModel", "FieldSyncClient", "FieldSyncServer", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "sim/Sources/FieldSyncSim"
        ),
        /// The `fieldsync-sim` command.
        .executableTarget(
            name: "fieldsync-sim",
            dependencies: [
                "FieldSyncSim", "FieldSyncCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "sim/Sources/fieldsync-sim"
        ),

        // MARK: - Benchmarks

        /// Release-mode benchmark suite; figures go to BENCHMARKS.md.
        .executableTarget(
            name: "fieldsync-bench",
            dependencies: [
                "FieldSyncModel",
                "FieldSyncServer",
                "FieldSyncClient",
                "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "bench/Sources/fieldsync-bench"
        ),

        // MARK: - Tests

        /// Helpers shared by the tests and the benchmarks: running the built executables, a throwaway PostgreSQL.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        /// Unit and seeded property tests of the shared model; reads protocol/vectors in place.
        .testTarget(
            name: "FieldSyncModelTests",
            dependencies: ["FieldSyncModel", "TestSupport"]
        ),
        /// Client library tests against a real server on loopback, CLI parse tests, and the two-laptop end-to-end test.
        .testTarget(
            name: "FieldSyncClientTests",
            dependencies: [
                "FieldSyncClient",
                "FieldSyncServer",
                "FieldSyncModel",
                "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        /// In-process server tests and tests that run the built binary.
        .testTarget(
            name: "FieldSyncServerTests",
            dependencies: [
                "FieldSyncServer",
                "FieldSyncModel",
                "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["Fixtures"]
        ),
        /// Short simulations with fixed and fresh seeds on SQLite and PostgreSQL, and the kill test with real processes.
        .testTarget(
            name: "FieldSyncSimTests",
            dependencies: ["FieldSyncSim", "FieldSyncClient", "FieldSyncServer", "FieldSyncModel", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

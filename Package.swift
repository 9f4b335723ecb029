// swift-tools-version:6.0
import PackageDescription

/// dtrain: an offline-first batch scheduler for ML training jobs whose queue lives in git.
///
/// The three C libraries come from Debian (`libgit2-dev`, `libarchive-dev`, `libsqlite3-dev`)
/// and are wrapped once each, in `GitKit`, `ArchiveKit` and `SQLiteKit`; everything that is
/// dtrain's own (the spool protocol, the ledger, pricing, claims, the worker) is `DTrainCore`.
let package = Package(
    name: "dtrain",
    products: [
        .executable(name: "dtrain", targets: ["dtrain"]),
        .library(name: "DTrainCore", targets: ["DTrainCore"]),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(
            name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "GitKit", dependencies: ["CGit2"]),
        .target(name: "ArchiveKit", dependencies: ["CArchive"]),
        .target(name: "SQLiteKit", dependencies: ["CSQLite"]),
        .target(name: "DTrainCore", dependencies: ["GitKit", "ArchiveKit", "SQLiteKit"]),
        .executableTarget(name: "dtrain", dependencies: ["DTrainCore"]),
        .executableTarget(
            name: "dtrain-bench", dependencies: ["DTrainCore", "GitKit", "ArchiveKit", "CGit2"]),
        .testTarget(
            name: "DTrainTests",
            dependencies: ["DTrainCore", "GitKit", "ArchiveKit", "SQLiteKit"]),
    ]
)

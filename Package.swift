// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "zkstate",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Goldilocks", targets: ["Goldilocks"]),
        .library(name: "Poseidon", targets: ["Poseidon"]),
        .library(name: "SMT", targets: ["SMT"]),
        .library(name: "ZKEVMState", targets: ["ZKEVMState"]),
        .library(name: "StorageSM", targets: ["StorageSM"]),
        .library(name: "PIL", targets: ["PIL"]),
        .library(name: "HashDB", targets: ["HashDB"]),
        .executable(name: "zkstate", targets: ["zkstate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "Goldilocks"),
        .target(name: "Poseidon", dependencies: ["Goldilocks"]),
        .target(name: "SMT", dependencies: ["Goldilocks", "Poseidon"]),
        .target(name: "ZKEVMState", dependencies: ["Goldilocks", "Poseidon", "SMT"]),
        .target(
            name: "HashDB",
            dependencies: [
                "Goldilocks", "Poseidon", "SMT", "ZKEVMState",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "StorageSM", dependencies: ["Goldilocks", "Poseidon", "SMT"]),
        .target(name: "PIL", dependencies: ["Goldilocks"]),
        .executableTarget(
            name: "zkstate",
            dependencies: [
                "Goldilocks", "Poseidon", "SMT", "ZKEVMState", "HashDB", "StorageSM", "PIL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "GoldilocksTests",
            dependencies: ["Goldilocks", "TestSupport", .product(name: "BigInt", package: "BigInt")]
        ),
        .testTarget(name: "PoseidonTests", dependencies: ["Poseidon", "Goldilocks", "TestSupport"]),
        .testTarget(name: "SMTTests", dependencies: ["SMT", "Poseidon", "Goldilocks", "TestSupport"]),
        .testTarget(name: "ZKEVMStateTests", dependencies: ["ZKEVMState", "SMT", "Poseidon", "Goldilocks", "TestSupport"]),
        .testTarget(name: "StorageSMTests", dependencies: ["StorageSM", "SMT", "Poseidon", "Goldilocks", "TestSupport"]),
        .testTarget(name: "HashDBTests", dependencies: ["HashDB", "ZKEVMState", "SMT", "Poseidon", "Goldilocks", "TestSupport"]),
        .testTarget(name: "PILTests", dependencies: ["PIL", "Goldilocks", "TestSupport"]),
        .testTarget(name: "TraceCheckTests", dependencies: ["StorageSM", "PIL", "SMT", "Poseidon", "Goldilocks", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["zkstate", "HashDB", "SMT", "Goldilocks", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

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
        .library(name: "HashDBService", targets: ["HashDBService"]),
        .executable(name: "zkstate", targets: ["zkstate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "Goldilocks"),
        .target(name: "Poseidon", dependencies: ["Goldilocks"]),
        .target(name: "CPrefetch"),
        .target(name: "SMT", dependencies: ["Goldilocks", "Poseidon", "CPrefetch"]),
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
        .target(
            name: "HashDBService",
            dependencies: [
                "Goldilocks", "SMT", "HashDB",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "StorageSM", dependencies: ["Goldilocks", "Poseidon", "SMT"]),
        .target(name: "PIL", dependencies: ["Goldilocks"]),
        .executableTarget(
            name: "zkstate",
            dependencies: [
                "Goldilocks", "Poseidon", "SMT", "ZKEVMState", "HashDB", "HashDBService", "StorageSM", "PIL",
                .product(name: "Logging", package: "swift-log"),
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
        .testTarget(
            name: "HashDBServiceTests",
            dependencies: [
                "HashDBService", "HashDB", "SMT", "Goldilocks", "Poseidon", "TestSupport",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(name: "PILTests", dependencies: ["PIL", "Goldilocks", "TestSupport"]),
        .testTarget(name: "TraceCheckTests", dependencies: ["StorageSM", "PIL", "SMT", "Poseidon", "Goldilocks", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["zkstate", "HashDB", "SMT", "Goldilocks", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version: 6.1
// Performance benchmarks for zkstate, kept in their own package so that `swift build` and
// `swift test` at the repository root never resolve or build the benchmark toolchain.
//
// Run from this directory:
//     swift package --disable-sandbox benchmark
import PackageDescription

let package = Package(
    name: "zkstate-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "zkstate", path: ".."),
        // Only the malloc interposer: the runtime (ARC) interposer is not needed for these metrics.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Goldilocks", package: "zkstate"),
                .product(name: "Poseidon", package: "zkstate"),
                .product(name: "SMT", package: "zkstate"),
            ],
            path: "Benchmarks/BenchmarkSupport"
        ),
        .executableTarget(
            name: "PoseidonBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
                .product(name: "Goldilocks", package: "zkstate"),
                .product(name: "Poseidon", package: "zkstate"),
            ],
            path: "Benchmarks/PoseidonBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SMTBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
                .product(name: "Goldilocks", package: "zkstate"),
                .product(name: "Poseidon", package: "zkstate"),
                .product(name: "SMT", package: "zkstate"),
                .product(name: "ZKEVMState", package: "zkstate"),
            ],
            path: "Benchmarks/SMTBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HashDBBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
                .product(name: "Goldilocks", package: "zkstate"),
                .product(name: "Poseidon", package: "zkstate"),
                .product(name: "SMT", package: "zkstate"),
                .product(name: "HashDB", package: "zkstate"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/HashDBBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HashDBServiceBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
                .product(name: "Goldilocks", package: "zkstate"),
                .product(name: "Poseidon", package: "zkstate"),
                .product(name: "SMT", package: "zkstate"),
                .product(name: "HashDB", package: "zkstate"),
                .product(name: "HashDBService", package: "zkstate"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Benchmarks/HashDBServiceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StorageSMBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
                .product(name: "Goldilocks", package: "zkstate"),
                .product(name: "SMT", package: "zkstate"),
                .product(name: "StorageSM", package: "zkstate"),
                .product(name: "PIL", package: "zkstate"),
            ],
            path: "Benchmarks/StorageSMBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

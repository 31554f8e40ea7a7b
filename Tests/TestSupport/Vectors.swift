import Foundation

/// Locates the shared public test vectors (`../shared/vectors` next to the package root).
public enum Vectors {
    /// The package root, derived from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `../shared/vectors` seen from the package root.
    public static let directory: URL = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/vectors")

    /// The URL of a vector file, e.g. `url("state-tree/poseidon.json")`.
    public static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// Reads a vector file, failing with a message that says where it was looked for.
    public static func data(_ relativePath: String) throws -> Data {
        let url = url(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingVector(path: url.path)
        }
        return try Data(contentsOf: url)
    }

    /// Decodes a JSON vector file.
    public static func load<T: Decodable>(_ type: T.Type, _ relativePath: String) throws -> T {
        try JSONDecoder().decode(T.self, from: data(relativePath))
    }

    /// The error thrown when the shared vectors are not where they should be.
    public struct MissingVector: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "test vector missing: \(path) (the shared vectors must sit in ../shared/vectors next to the package)"
        }
    }
}

/// A small deterministic generator (SplitMix64) so randomized tests can print and replay a seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// The seed this generator started from.
    public let seed: UInt64

    /// Seeds from `ZKSTATE_SEED` when set, else from `seed`.
    public init(seed: UInt64) {
        let env = ProcessInfo.processInfo.environment["ZKSTATE_SEED"].flatMap { UInt64($0) }
        self.seed = env ?? seed
        self.state = self.seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

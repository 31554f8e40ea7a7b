import Goldilocks

/// A deterministic write workload (crash tests, benchmarks): a pure function of (seed, step), so the test can
/// rebuild every state a driver reached. Keys come from a pool of 4 × writesPerStep, so later
/// steps update and delete (value 0) earlier keys.
public struct SeededWorkload: Sendable {
    /// The seed.
    public let seed: UInt64
    /// Writes per step.
    public let writesPerStep: Int

    /// A workload.
    public init(seed: UInt64, writesPerStep: Int) { self.seed = seed; self.writesPerStep = writesPerStep }

    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The writes of step `step` (about one in five deletes).
    public func writes(step: Int) -> [(Digest, UInt256)] {
        (0..<writesPerStep).map { i in
            let r = SeededWorkload.mix(seed ^ SeededWorkload.mix(UInt64(step) << 20 | UInt64(i)))
            let slot = r % UInt64(4 * writesPerStep)
            let k = SeededWorkload.mix(seed &+ slot)
            let key = Digest(FieldElement(reducing: k), FieldElement(reducing: SeededWorkload.mix(k)),
                             FieldElement(reducing: SeededWorkload.mix(k &+ 1)), FieldElement(reducing: SeededWorkload.mix(k &+ 2)))
            let value = (r >> 8) % 5 == 0 ? UInt256.zero : UInt256(r >> 8, UInt64(step))
            return (key, value)
        }
    }
}

// Throughput of the Goldilocks field, the Poseidon permutation and the contract bytecode hash,
// on one core, plus the ratio of the measured hash time to the floor set by its multiplications.
//
//     cd Benchmarks && swift package --disable-sandbox benchmark
//
// The kernels below are `@inline(never)` so that the benchmarks and the floor-ratio calibration
// time the same machine code.

import Benchmark
import Foundation
import Goldilocks
import Poseidon

// MARK: - Multiplication count of the permutation

/// Field multiplications in one Poseidon permutation as `Poseidon.permute` runs it (see
/// Sources/Poseidon/Poseidon+Permutation.swift and Poseidon+MDS.swift):
///
/// ```
///  full rounds     8 rounds × 12 S-boxes × 4 (x², x³ = x²·x, x⁴ = x²·x², x⁷ = x³·x⁴)   384
///  partial rounds  22 rounds × 1 S-box × 4                                             88
///  MDS layer: a fast cyclic convolution of adds and shifts, no multiplication          0
///  25·a in the partial rounds: a 64 × 5-bit product, not counted                     ─────
///                                                                                     472
/// ```
let multiplicationsPerPermutation = 8 * 12 * 4 + 22 * 4

// MARK: - Kernels

/// Independent multiplication chains run side by side, so that the CPU overlaps them and the
/// measurement reflects multiplication throughput rather than the latency of one chain.
let multiplicationLanes = 4

/// Multiplications done by one call of ``multiplicationKernel(_:by:)`` (one benchmark iteration).
let multiplicationsPerCall = 1_000_000

/// Multiplies four accumulators by four constants, `multiplicationsPerCall / 4` times each.
///
/// The caller passes the operands through `identity` so that nothing is known at compile time.
@inline(never)
func multiplicationKernel(
    _ start: (FieldElement, FieldElement, FieldElement, FieldElement),
    by factor: (FieldElement, FieldElement, FieldElement, FieldElement)
) -> FieldElement {
    var (a0, a1, a2, a3) = start
    for _ in 0..<(multiplicationsPerCall / multiplicationLanes) {
        a0 = a0 * factor.0
        a1 = a1 * factor.1
        a2 = a2 * factor.2
        a3 = a3 * factor.3
    }
    return a0 + a1 + a2 + a3
}

/// Starting values and factors of the multiplication lanes (arbitrary non-trivial elements).
let multiplicationOperands = (
    start: (FieldElement(reducing: 0x0123_4567_89AB_CDEF), FieldElement(reducing: 0xFEDC_BA98_7654_3210),
            FieldElement(reducing: 0x0F1E_2D3C_4B5A_6978), FieldElement(reducing: 0x8796_A5B4_C3D2_E1F0)),
    factor: (FieldElement(reducing: 0x9E37_79B9_7F4A_7C15), FieldElement(reducing: 0xBF58_476D_1CE4_E5B9),
             FieldElement(reducing: 0x94D0_49BB_1331_11EB), FieldElement(reducing: 0xD6E8_FEB8_6659_FD93))
)

/// Hashes done by one call of ``hashChain(from:)`` (one benchmark iteration).
let hashesPerCall = 1_000

/// `hashesPerCall` Poseidon hashes, each fed the previous digest as input and capacity, so no
/// hash can be hoisted or skipped.
@inline(never)
func hashChain(from start: Digest) -> Digest {
    var d = start
    for _ in 0..<hashesPerCall {
        d = Poseidon.hash([d.e0, d.e1, d.e2, d.e3, d.e3, d.e2, d.e1, d.e0], capacity: d)
    }
    return d
}

/// The first digest of the hash chain.
let hashChainSeed = Digest(canonical: 1, 2, 3, 4)

/// Size of the bytecode hashed per iteration: the EIP-170 contract size limit (24 KiB).
let bytecodeSize = 24 * 1024

/// `count` pseudo-random bytes from SplitMix64 with a fixed seed, so every run hashes the same code.
func pseudoRandomBytes(count: Int, seed: UInt64 = 0x5EED) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt8(truncatingIfNeeded: z ^ (z &>> 31))
    }
}

// MARK: - Printed summaries

/// The wall-clock time of one run of `body`, in nanoseconds.
func nanoseconds(toRun body: () -> Void) -> Double {
    let d = ContinuousClock().measure(body)
    return Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) * 1e-9
}

/// Times the multiplication kernel and the hash chain in the same process, interleaved, keeps
/// the best of `trials` runs of each, and prints the time per hash against the floor
/// `multiplicationsPerPermutation × time per multiplication`.
func printFloorRatio(trials: Int = 15) {
    var bestMultiplications = Double.infinity
    var bestHashes = Double.infinity
    var digest = hashChainSeed
    for _ in 0..<trials {  // taking the minimum makes a separate warm-up unnecessary
        bestMultiplications = min(bestMultiplications, nanoseconds {
            blackHole(multiplicationKernel(identity(multiplicationOperands.start),
                                           by: identity(multiplicationOperands.factor)))
        })
        bestHashes = min(bestHashes, nanoseconds { digest = hashChain(from: identity(digest)) })
    }
    blackHole(digest)

    let nsPerMultiplication = bestMultiplications / Double(multiplicationsPerCall)
    let nsPerHash = bestHashes / Double(hashesPerCall)
    let floor = Double(multiplicationsPerPermutation) * nsPerMultiplication
    print(String(
        format: "poseidon: %.1f ns/hash (%.0f hashes/s), mul: %.3f ns (%.0f M mul/s), "
            + "muls/perm: %d, floor: %.1f ns, floor ratio: %.2f",
        nsPerHash, 1e9 / nsPerHash, nsPerMultiplication, 1e3 / nsPerMultiplication,
        multiplicationsPerPermutation, floor, nsPerHash / floor
    ))
}

/// Prints the best-of-`trials` bytecode hash rate in MB/s (10^6 bytes), next to the rate the
/// permutations alone would allow (one permutation per 56-byte block, timed on the hash chain),
/// so that overhead outside the permutation shows up.
func printBytecodeRate(_ bytecode: [UInt8], trials: Int = 15) {
    var bestBytecode = Double.infinity
    var bestHashes = Double.infinity
    for _ in 0..<trials {
        bestBytecode = min(bestBytecode, nanoseconds { blackHole(Poseidon.hashBytecode(identity(bytecode))) })
        bestHashes = min(bestHashes, nanoseconds { blackHole(hashChain(from: identity(hashChainSeed))) })
    }
    let blocks = bytecode.count / Poseidon.bytecodeBlockSize + 1
    let permutationsOnly = Double(blocks) * bestHashes / Double(hashesPerCall)
    print(String(
        format: "bytecode: %.2f MB/s (%d bytes in %.1f us), permutations alone: %.2f MB/s",
        Double(bytecode.count) * 1e3 / bestBytecode, bytecode.count, bestBytecode / 1e3,
        Double(bytecode.count) * 1e3 / permutationsOnly
    ))
}

// MARK: - Benchmarks

/// Bytes hashed per second by `Poseidon.hashBytecode` (shown in the table as K/M).
let bytecodeBytesPerSecond = BenchmarkMetric.custom(
    "Bytecode hash (bytes/s)", polarity: .prefersLarger, useScalingFactor: false
)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(2)
    )

    // One iteration = 10^6 multiplications: time is shown per multiplication, throughput in M/s.
    Benchmark(
        "Goldilocks multiplication (4 lanes)",
        configuration: .init(scalingFactor: .mega)
    ) { _ in
        blackHole(multiplicationKernel(identity(multiplicationOperands.start),
                                       by: identity(multiplicationOperands.factor)))
    }

    // One iteration = 10^3 chained hashes: time is shown per hash, throughput in K/s. The setup
    // prints the floor ratio before the measured run.
    Benchmark(
        "Poseidon hash (chained)",
        configuration: .init(scalingFactor: .kilo)
    ) { _ in
        blackHole(hashChain(from: identity(hashChainSeed)))
    } setup: {
        printFloorRatio()
    }

    // One iteration = one 24 KiB bytecode; the custom metric reports bytes per second. The
    // setup prints the rate in MB/s before the measured run.
    let bytecode = pseudoRandomBytes(count: bytecodeSize)
    Benchmark(
        "Poseidon bytecode hash (24 KiB)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, bytecodeBytesPerSecond])
    ) { benchmark in
        let elapsed = nanoseconds { blackHole(Poseidon.hashBytecode(identity(bytecode))) }
        benchmark.measurement(bytecodeBytesPerSecond, Int(Double(bytecode.count) * 1e9 / elapsed))
    } setup: {
        printBytecodeRate(bytecode)
    }
}

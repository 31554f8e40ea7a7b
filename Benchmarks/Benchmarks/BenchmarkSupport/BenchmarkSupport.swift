// What every benchmark target measures with: a seeded generator, wall-clock and CPU time, peak
// memory, the cost of one Poseidon hash, and a store that counts the hashing a SET needs.

import Benchmark
import Dispatch
import Foundation
import Goldilocks
import Poseidon
import SMT

/// Prints a figure line (call it from a benchmark's `setup`, whose output the tool shows).
public func report(_ line: String) {
    print(line)
}

/// SplitMix64 with a fixed seed: every run uses the same inputs.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The state (the seed at first).
    public var state: UInt64

    /// A generator starting at `state`.
    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }

    /// A random digest of canonical limbs (a key, or a node id).
    public mutating func digest() -> Digest {
        Digest(canonical: next() % FieldElement.order, next() % FieldElement.order,
               next() % FieldElement.order, next() % FieldElement.order)
    }
}

/// Wall-clock seconds of `body`.
public func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// CPU seconds (user + system) this process has used.
public func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Peak resident memory of this process so far, in bytes (VmHWM).
public func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb * 1024
}

/// Nanoseconds per Poseidon hash (best of a few chains), for ratios measured in the same run.
public func nanosecondsPerHash() -> Double {
    var d = Digest(canonical: 1, 2, 3, 4)
    var best = Double.infinity
    for _ in 0..<5 {
        best = min(best, seconds {
            for _ in 0..<20_000 { d = Poseidon.hash(d, d, capacity: d) }
        } / 20_000 * 1e9)
    }
    blackHole(d)
    return best
}

/// A store that counts what is written through it: each node or value written by a SET is one
/// Poseidon hash, so this counts the hashing a SET needs.
public final class CountingStore: NodeStore, @unchecked Sendable {
    /// Where the nodes go.
    public let inner = MemoryNodeStore()
    /// Nodes and values written so far.
    public var written = 0
    /// An empty store.
    public init() {}
    public func node(_ hash: NodeHash) throws(SMTError) -> Node? { try inner.node(hash) }
    public func value(_ hash: NodeHash) throws(SMTError) -> UInt256? { try inner.value(hash) }
    public func node(_ hash: NodeHash, childOf parent: NodeLocation, side: Int) throws(SMTError) -> (Node, NodeLocation)? {
        try inner.node(hash, childOf: parent, side: side)
    }
    public func value(_ hash: NodeHash, ofLeaf leaf: NodeLocation) throws(SMTError) -> UInt256? {
        try inner.value(hash, ofLeaf: leaf)
    }
    public func write(_ batch: NodeBatch) throws(SMTError) {
        written += batch.nodes.count + batch.values.count
        try inner.write(batch)
    }
}

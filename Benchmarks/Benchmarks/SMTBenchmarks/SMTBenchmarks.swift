// State-tree throughput on the in-memory store, one core unless stated:
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target SMTBenchmarks
//
// Besides the framework's table, each scenario prints its figures (rates, ratios, memory) in
// one line, all measured in the same process.

import Benchmark
import BenchmarkSupport
import Foundation
import Goldilocks
import Poseidon
import SMT
import ZKEVMState

// MARK: - Inputs

/// `count` random canonical keys.
func randomKeys(_ count: Int, seed: UInt64) -> [SMTKey] {
    var g = SeededGenerator(state: seed)
    return (0..<count).map { _ in
        Digest(canonical: g.next() % FieldElement.order, g.next() % FieldElement.order,
               g.next() % FieldElement.order, g.next() % FieldElement.order)
    }
}

/// A random non-zero 256-bit value.
func randomValue(_ g: inout SeededGenerator) -> UInt256 {
    UInt256(g.next() | 1, g.next(), g.next(), g.next())
}

// MARK: - Scenarios

/// 100,000 random keys: insert, get, update, delete, one at a time; every node is kept.
func runCrudScenario() throws {
    let n = 100_000
    let keys = randomKeys(n, seed: 1)
    var g = SeededGenerator(state: 2)
    let store = MemoryNodeStore()
    let tree = SparseMerkleTree(store: store)
    var root = NodeHash.zero
    let insert = try seconds { for k in keys { root = try tree.set(root: root, key: k, value: randomValue(&g)).newRoot } }
    var sink: UInt64 = 0
    let get = try seconds { for k in keys { sink ^= try tree.get(root: root, key: k).value.words.0 } }
    let update = try seconds { for k in keys { root = try tree.set(root: root, key: k, value: randomValue(&g)).newRoot } }
    let delete = try seconds { for k in keys { root = try tree.set(root: root, key: k, value: .zero).newRoot } }
    blackHole(sink)
    precondition(root.isZero, "deleting every key must empty the tree")
    report(String(
        format: "smt 100k: %.0f inserts/s, %.0f gets/s, %.0f updates/s, %.0f deletes/s; "
            + "store: %d entries, %.1f bytes/entry; peak RSS %.0f MB",
        Double(n) / insert, Double(n) / get, Double(n) / update, Double(n) / delete,
        store.count, Double(store.allocatedBytes) / Double(store.count), Double(peakResidentBytes()) / 1e6
    ))
}

/// SET into a tree of 1,000,000 keys against the Poseidon hashing it needs. Both are timed the
/// same way, best of five: the hashing as five runs of 20,000 hashes, the sets as five rounds of
/// 10,000 new random keys (the median round is printed too, as this VM's timing drifts).
func runSetCostScenario() throws {
    let store = CountingStore()
    let tree = SparseMerkleTree(store: store)
    var g = SeededGenerator(state: 3)
    let base = randomKeys(1_000_000, seed: 4).map { ($0, randomValue(&g)) }
    var root = try tree.setMany(root: .zero, base)
    var rounds: [Double] = [], hashes: [Double] = [], reads: [Double] = []
    for round in 0..<5 {
        let probes = randomKeys(10_000, seed: 5 + UInt64(round))
        var sink: UInt64 = 0
        reads.append(try seconds { for k in probes { sink ^= try tree.get(root: root, key: k).value.words.0 } } / Double(probes.count))
        blackHole(sink)
        let before = store.written
        rounds.append(try seconds { for k in probes { root = try tree.set(root: root, key: k, value: randomValue(&g)).newRoot } } / Double(probes.count))
        hashes.append(Double(store.written - before) / Double(probes.count))
    }
    let hashesPerSet = hashes.reduce(0, +) / Double(hashes.count)
    let hashing = hashesPerSet * nanosecondsPerHash()
    let best = rounds.min()! * 1e9, median = rounds.sorted()[2] * 1e9
    report(String(
        format: "smt set at 1M keys: %.1f us/set (best of 5 rounds of 10,000; median %.1f), %.1f hashes/set, hashing alone %.1f us: "
            + "ratio %.2f (median round %.2f); a get of the same keys (the descent alone) %.1f us",
        best / 1e3, median / 1e3, hashesPerSet, hashing / 1e3, best / hashing, median / hashing, reads.min()! * 1e6
    ))
}

/// Genesis-style batch: 1,000,000 new accounts (balance + nonce), setMany against one by one.
func runSetManyScenario(accounts: Int = 1_000_000) throws {
    var g = SeededGenerator(state: 6)
    var writes: [(SMTKey, UInt256)] = []
    writes.reserveCapacity(2 * accounts)
    for i in 0..<accounts {
        let bytes = (0..<20).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        let address = Address(bytes: bytes)!
        writes.append((StateKey.balance(address), randomValue(&g)))
        writes.append((StateKey.nonce(address), UInt256(UInt64(i + 1))))
    }
    let cpuBefore = cpuSeconds()
    var batchRoot = NodeHash.zero
    let batch = try seconds { batchRoot = try SparseMerkleTree().setMany(root: .zero, writes) }
    let cpu = cpuSeconds() - cpuBefore
    let tree = SparseMerkleTree()
    var root = NodeHash.zero
    let single = try seconds { for (k, v) in writes { root = try tree.set(root: root, key: k, value: v).newRoot } }
    precondition(root == batchRoot, "setMany and one-by-one sets must agree")
    report(String(
        format: "setMany %d accounts (%d writes): %.2f s (%.0f writes/s, %.2f cores busy); one by one %.2f s: %.1fx faster",
        accounts, writes.count, batch, Double(writes.count) / batch, cpu / batch, single, single / batch
    ))
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident],
        maxDuration: .seconds(600),
        maxIterations: 1
    )

    // Scenarios run once, in `setup` (the tool shows what setup prints); the measured body is
    // empty, the figures are the printed line and the peak memory of the process.
    Benchmark("SMT 100k insert-get-update-delete") { _ in } setup: { try! runCrudScenario() }
    Benchmark("SMT set at 1M keys vs hashing") { _ in } setup: { try! runSetCostScenario() }
    Benchmark("SMT setMany 1M accounts vs one by one") { _ in } setup: { try! runSetManyScenario() }

    // Steady-state rates the framework can track: gets and sets on a 100k-key tree.
    let keys = randomKeys(100_000, seed: 7)
    let tree = SparseMerkleTree()
    var g = SeededGenerator(state: 8)
    let root = try! tree.setMany(root: .zero, keys.map { ($0, randomValue(&g)) })
    Benchmark("SMT get (100k keys)", configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo,
                                                          maxDuration: .seconds(2), maxIterations: 1000)) { _ in
        var sink: UInt64 = 0
        for k in keys.prefix(1000) { sink ^= try tree.get(root: root, key: k).value.words.0 }
        blackHole(sink)
    }
    Benchmark("SMT update (100k keys)", configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo,
                                                             maxDuration: .seconds(2), maxIterations: 1000)) { _ in
        var r = root
        for k in keys.prefix(1000) { r = try tree.set(root: r, key: k, value: UInt256(5)).newRoot }
        blackHole(r)
    }
}

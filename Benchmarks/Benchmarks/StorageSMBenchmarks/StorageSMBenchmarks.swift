// Storage state machine: trace generation, the PIL checker and the trace writer, one core:
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target StorageSMBenchmarks
//
// Each scenario prints its figures in one line from `setup` (the body's output is hidden), all
// measured in the same process, best of a few runs where a run is short.

import Benchmark
import BenchmarkSupport
import Foundation
import Goldilocks
import struct PIL.ColumnData
import enum PIL.ConstantPolynomials
import struct PIL.ConstraintChecker
import enum PIL.ConstraintFailure
import struct PIL.Program
import struct PIL.TableRule
import SMT
import StorageSM

/// The shared public vectors (`../shared/vectors` next to the repository).
let vectors = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()  // Benchmarks/
    .deletingLastPathComponent().deletingLastPathComponent()  // repository root's parent
    .appendingPathComponent("shared/vectors")
let storageDirectory = vectors.appendingPathComponent("storage-sm")
let romURL = storageDirectory.appendingPathComponent("storage_sm_rom.json")

/// A random canonical key.
func randomKey(_ g: inout SeededGenerator) -> SMTKey {
    Digest(canonical: g.next() % FieldElement.order, g.next() % FieldElement.order,
           g.next() % FieldElement.order, g.next() % FieldElement.order)
}

/// Best of `runs` timings.
func best(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var result = Double.infinity
    for _ in 0..<runs { result = min(result, try seconds(body)) }
    return result
}

/// A tree of `treeKeys` random keys, then a mix of recorded actions on it: gets of present and
/// absent keys, updates, inserts, deletes and zero-to-zero writes, in rounds, until `hashBudget`
/// Poseidon hashes (proofHashCounter) are spent.
func recordedActions(treeKeys: Int, hashBudget: Int, seed: UInt64) throws -> [SMTAction] {
    var g = SeededGenerator(state: seed)
    let tree = SparseMerkleTree()
    var present = (0..<treeKeys).map { _ in randomKey(&g) }
    var root = try tree.setMany(root: .zero, present.map { ($0, UInt256(g.next() | 1, g.next(), 0, 0)) })
    var recorder = SMTActionRecorder(tree: tree)
    var hashes = 0
    var round = 0
    while hashes < hashBudget {
        let i = Int(g.next() % UInt64(present.count))
        switch round % 6 {
        case 0: try recorder.get(root: root, key: present[i])
        case 1: try recorder.get(root: root, key: randomKey(&g))
        case 2: root = try recorder.set(root: root, key: present[i], value: UInt256(g.next() | 1, 0, 0, g.next())).newRoot
        case 3:
            let k = randomKey(&g)
            root = try recorder.set(root: root, key: k, value: UInt256(g.next() | 1)).newRoot
            present.append(k)
        case 4:
            root = try recorder.set(root: root, key: present[i], value: .zero).newRoot
            present.swapAt(i, present.count - 1)
            present.removeLast()
        default: root = try recorder.set(root: root, key: randomKey(&g), value: .zero).newRoot
        }
        hashes += recorder.actions.last!.proofHashCounter
        round += 1
    }
    return recorder.actions
}

/// The action's kind as a label.
func label(_ a: SMTAction) -> String {
    a.mode.map { "\($0.rawValue)" } ?? (a.value.isZero ? "get absent" : "get present")
}

/// Rows per action by mode (mean rows, mean S) from an execution.
func rowsPerMode(_ actions: [SMTAction], _ execution: StorageExecution) -> String {
    var rows: [String: (count: Int, rows: Int, siblings: Int)] = [:]
    var previous = -1
    for (a, action) in actions.enumerated() {
        let latch = execution.latchRows[a]
        let entry = rows[label(action), default: (0, 0, 0)]
        rows[label(action)] = (entry.count + 1, entry.rows + latch - previous, entry.siblings + action.siblings.count)
        previous = latch
    }
    return rows.sorted { $0.key < $1.key }.map { name, e in
        String(format: "%@ %.1f rows (S %.1f, n %d)", name, Double(e.rows) / Double(e.count),
               Double(e.siblings) / Double(e.count), e.count)
    }.joined(separator: "; ")
}

// MARK: - Scenarios

/// Trace generation on a 1,000,000-key tree: the Storage executor over the used rows (a trace
/// whose N just holds them), and the PoseidonG and ClimbKey builders.
func runGenerationScenario() throws {
    let rom = try StorageROM(contentsOf: romURL)
    let executor = StorageExecutor(rom: rom)
    let actions = try recordedActions(treeKeys: 1_000_000, hashBudget: 30_000, seed: 1)
    let probe = try executor.execute(actions, rowCount: 1 << 23)
    let used = probe.storageRowsUsed
    // The smallest power of two holding the Storage rows, the PoseidonG hashes and the climbs.
    let needed = max(used + 64, 31 * probe.poseidonRequests.count + 31, 4 * probe.climbKeyRequests.count + 4)
    let n = 1 << (Int.bitWidth - needed.leadingZeroBitCount)
    var execution = probe
    // The same N without actions: allocating the cells, the kernel zeroing their pages, the bulk
    // padding. The difference is the cost of the rows the actions fill; the two are timed in
    // turn (best of five each) so that both see the same machine.
    var empty = probe
    var storage = Double.infinity, allocation = Double.infinity
    for _ in 0..<5 {
        storage = min(storage, try seconds { execution = try executor.execute(actions, rowCount: n) })
        allocation = min(allocation, try seconds { empty = try executor.execute([], rowCount: n) })
    }
    blackHole(empty)
    let perAction = actions.map(\.knownHashes.count).reduce(0, +)
    var poseidonG = MachineTrace<PoseidonGColumn>?.none
    let poseidonTime = try best(2) { poseidonG = try execution.poseidonGTrace() }
    var climbKey = MachineTrace<ClimbKeyColumn>?.none
    let climbTime = try best(2) { climbKey = try execution.climbKeyTrace() }
    blackHole(poseidonG)
    blackHole(climbKey)
    report(String(
        format: "storage trace: %d actions, %d rows used of N = 2^%d, %d hashes (%d computed, %d known hashes carried): "
            + "executor %.3f s (N rows %.2f M/s), of which the empty trace of N rows %.3f s: "
            + "used rows %.3f s = %.2f × the empty trace, %.2f M rows/s; PoseidonG %d hashes %.3f s (%.0f hashes/s); "
            + "ClimbKey %d climbs %.3f s",
        actions.count, used, n.trailingZeroBitCount, execution.poseidonRequests.count, execution.computedHashCount,
        perAction, storage, Double(n) / storage / 1e6, allocation, storage - allocation, (storage - allocation) / allocation,
        Double(used) / (storage - allocation) / 1e6,
        execution.poseidonRequests.count, poseidonTime, Double(execution.poseidonRequests.count) / poseidonTime,
        execution.climbKeyRequests.count, climbTime))
    report("rows per action: " + rowsPerMode(actions, execution))
}

/// A full N = 2^23 trace: actions until PoseidonG is full, then the three machines.
func runFullTraceScenario() throws {
    let n = 1 << 23
    let rom = try StorageROM(contentsOf: romURL)
    let actions = try recordedActions(treeKeys: 1_000_000, hashBudget: n / 31 - 200, seed: 2)
    // A first, cold run: the kernel hands this process several GB of fresh pages (first touch).
    var execution: StorageExecution?
    var traces: StorageSMTraces?
    let coldStorage = try seconds { execution = try StorageExecutor(rom: rom).execute(actions, rowCount: n) }
    let coldOthers = try seconds { traces = try execution!.traces() }
    execution = nil
    traces = nil
    // The measured, warm run.
    let emptyTrace = try seconds { blackHole(try StorageExecutor(rom: rom).execute([], rowCount: n)) }
    let storage = try seconds { execution = try StorageExecutor(rom: rom).execute(actions, rowCount: n) }
    let others = try seconds { traces = try execution!.traces() }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-bench-trace-\(getpid())")
    defer { try? FileManager.default.removeItem(at: directory) }
    let write = try seconds { try TraceFiles.write(traces!, to: directory) }
    let bytes = 8 * n * (StorageColumn.allCases.count + PoseidonGColumn.count + ClimbKeyColumn.count)
    report(String(
        format: "full trace N = 2^23: %d actions, Storage rows used %d (%.1f%%), PoseidonG %d, ClimbKey %d; "
            + "Storage %.2f s (the empty Storage trace alone %.2f s), PoseidonG + ClimbKey %.2f s, total fill %.2f s; "
            + "write %.1f GB in %.2f s (%.0f MB/s); peak RSS %.1f GB; cold first run %.2f s + %.2f s",
        actions.count, traces!.storageRowsUsed, 100 * Double(traces!.storageRowsUsed) / Double(n),
        traces!.poseidonG.rowsUsed, traces!.climbKey.rowsUsed, storage, emptyTrace, others, storage + others,
        Double(bytes) / 1e9, write, Double(bytes) / write / 1e6, Double(peakResidentBytes()) / 1e9, coldStorage, coldOthers))
}

/// The PIL checker on a trace of N = 2^16 rows: every namespace but Main.
func runCheckerScenario() throws {
    let n = 1 << 16
    let rom = try StorageROM(contentsOf: romURL)
    let actions = try recordedActions(treeKeys: 100_000, hashBudget: n / 31 - 100, seed: 3)
    let traces = try StorageExecutor(rom: rom).execute(actions, rowCount: n).traces()
    var columns = try ConstantPolynomials.storageProgram(
        rowCount: n,
        sources: .init(storageROM: romURL, poseidonConstants: vectors.appendingPathComponent("state-tree/poseidon-constants.json")),
        includeClimbKeyTable: false)
    for c in StorageColumn.allCases { try columns.set("Storage.\(c.name)", Array(traces.storage.column(c))) }
    for c in PoseidonGColumn.allCases { try columns.set("PoseidonG.\(c.name)", Array(traces.poseidonG.column(c))) }
    for c in ClimbKeyColumn.allCases { try columns.set("ClimbKey.\(c.name)", Array(traces.climbKey.column(c))) }
    let program = try Program.load(storageDirectory.appendingPathComponent("storage_main.test.pil"),
                                   searchDirectories: [storageDirectory])
    let checker = ConstraintChecker(program: program, tableRules: [.climbKey])
    var figures: [String] = []
    for namespaces in [["Storage"], ["PoseidonG"], ["ClimbKey"], ["Global", "Storage", "PoseidonG", "ClimbKey"]] {
        var failures: [ConstraintFailure] = []
        let time = try best(3) { failures = try checker.check(columns, namespaces: Set(namespaces)) }
        precondition(failures.isEmpty, "the executor's trace must pass: \(failures)")
        figures.append(String(format: "%@ %.3f s = %.2f M rows/s", namespaces.count == 1 ? namespaces[0] : "all",
                              time, Double(n) / time / 1e6))
    }
    report("checker N = 2^16 (\(traces.storageRowsUsed) Storage rows used): " + figures.joined(separator: "; "))
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident],
        maxDuration: .seconds(900),
        maxIterations: 1
    )
    Benchmark("StorageSM trace generation (1M-key tree)") { _ in } setup: { try! runGenerationScenario() }
    Benchmark("StorageSM PIL checker (N = 2^16)") { _ in } setup: { try! runCheckerScenario() }
    Benchmark("StorageSM full trace (N = 2^23) and write") { _ in } setup: { try! runFullTraceScenario() }
}

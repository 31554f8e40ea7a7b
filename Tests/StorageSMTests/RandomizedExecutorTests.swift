import Testing
import Goldilocks
import SMT
import StorageSM
import TestSupport

@Suite("StorageExecutor, randomized")
struct RandomizedExecutorTests {
    /// A value of a random shape: zero, one small chunk, one chunk anywhere, or full width.
    static func value(_ rng: inout SplitMix64) -> UInt256 {
        switch rng.next() % 5 {
        case 0: return .zero
        case 1: return UInt256(rng.next() % 1000 + 1)
        case 2:
            var words: [UInt64] = [0, 0, 0, 0]
            let chunk = Int(rng.next() % 8)
            words[chunk / 2] = (rng.next() % 0xFFFF_FFFF + 1) << UInt64(32 * (chunk % 2))
            return UInt256(words[0], words[1], words[2], words[3])
        default: return UInt256(rng.next(), rng.next(), rng.next(), rng.next())
        }
    }

    @Test("random GETs and SETs on a small key pool: every action latches, §11 costs, exact tail")
    func randomRuns() throws {
        var rng = SplitMix64(seed: 0x5EED_5709)
        let executor = StorageExecutor(rom: try ROMFixture.rom())
        var kindsSeen = Set<SMTAction.Kind>()
        for _ in 0..<4 {
            // Limbs below 16 keep keys sharing long path prefixes (deep branches, found leaves).
            let pool = (0..<10).map { _ in
                Digest(canonical: rng.next() % 16, rng.next() % 16, rng.next() % 16, rng.next() % 16)
            }
            var recorder = SMTActionRecorder(tree: SparseMerkleTree())
            var root = NodeHash.zero
            for _ in 0..<40 {
                let key = pool[Int(rng.next() % UInt64(pool.count))]
                if rng.next() % 4 == 0 {
                    try recorder.get(root: root, key: key)
                } else {
                    root = try recorder.set(root: root, key: key, value: Self.value(&rng)).newRoot
                }
            }
            let actions = recorder.actions
            kindsSeen.formUnion(actions.map(\.kind))
            let out = try executor.execute(actions, rowCount: 1 << 14)
            #expect(out.latchRows.count == actions.count, "seed \(rng.seed)")
            var previous = -1
            for (index, (action, row)) in zip(actions, out.latchRows).enumerated() {
                #expect(row - previous == RowCost.rows(action), "seed \(rng.seed), action \(index) \(action.kind)")
                previous = row
            }
            #expect(out.poseidonRequests.count == actions.reduce(0) { $0 + $1.proofHashCounter }, "seed \(rng.seed)")
            TraceExpectations.expectTail(out.trace, from: previous + 1, lineZeroRegisters: false)
            #expect(PILModel.firstViolation(out.trace, rom: executor.rom) == nil, "seed \(rng.seed)")
        }
        // Every mode of the SMT, and GETs, occurred (with this seed).
        #expect(kindsSeen.count == 7, "seed \(rng.seed): \(kindsSeen)")
    }
}

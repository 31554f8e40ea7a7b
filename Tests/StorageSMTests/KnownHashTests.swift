import Testing
import Goldilocks
import SMT
import StorageSM
import TestSupport

/// The executor reuses the hashes the tree already computed (read from the store along the
/// action's paths) instead of recomputing Poseidon; the trace is the same either way.
@Suite("StorageExecutor, hashes reused from the tree")
struct KnownHashTests {
    /// Random GETs and SETs of every mode on a small key pool, recorded with or without the
    /// known hashes.
    static func actions(knownHashes: Bool) throws -> [SMTAction] {
        var rng = SplitMix64(seed: 0x4A54_11E5)
        let pool = (0..<12).map { _ in
            Digest(canonical: rng.next() % 16, rng.next() % 16, rng.next() % 16, rng.next() % 16)
        }
        var recorder = SMTActionRecorder(tree: SparseMerkleTree(), knownHashes: knownHashes)
        var root = NodeHash.zero
        for _ in 0..<120 {
            let key = pool[Int(rng.next() % UInt64(pool.count))]
            if rng.next() % 4 == 0 {
                try recorder.get(root: root, key: key)
            } else {
                root = try recorder.set(root: root, key: key, value: RandomizedExecutorTests.value(&rng)).newRoot
            }
        }
        return recorder.actions
    }

    @Test("every hash of every mode is found among the known hashes, and the traces are identical")
    func everyHashIsReused() throws {
        let executor = StorageExecutor(rom: try ROMFixture.rom())
        let known = try Self.actions(knownHashes: true)
        #expect(Set(known.map(\.kind)).count == 7)
        let reused = try executor.execute(known, rowCount: 1 << 16)
        #expect(reused.computedHashCount == 0)
        #expect(!reused.poseidonRequests.isEmpty)

        let plain = try Self.actions(knownHashes: false)
        #expect(plain.allSatisfy { $0.knownHashes.isEmpty })
        let computed = try executor.execute(plain, rowCount: 1 << 16)
        #expect(computed.computedHashCount == computed.poseidonRequests.count)
        #expect(reused.trace == computed.trace)
        #expect(reused.poseidonRequests == computed.poseidonRequests)
        // The PoseidonG trace recomputes every permutation and agrees.
        #expect(try reused.traces() == computed.traces())
    }

    @Test("a wrong known hash is not trusted: the PoseidonG trace refuses it")
    func wrongKnownHashIsCaught() throws {
        var actions = try Self.actions(knownHashes: true)
        let a = try #require(actions.firstIndex { $0.isSet && !$0.knownHashes.isEmpty })
        actions[a].knownHashes[0].result.e0 = actions[a].knownHashes[0].result.e0 + .one
        let execution = try? StorageExecutor(rom: try ROMFixture.rom()).execute(actions, rowCount: 1 << 16)
        // Either the latch check of the action catches the wrong root, or PoseidonG does.
        if let execution {
            #expect(throws: MachineTraceError.self) { try execution.poseidonGTrace() }
        }
    }
}

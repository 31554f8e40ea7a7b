import Testing
import Goldilocks
import SMT
import StorageSM

@Suite("StorageExecutor")
struct StorageExecutorTests {
    static let k1 = Digest(canonical: 1, 0, 0, 0)
    static let k2 = Digest(canonical: 3, 0, 0, 0)  // shares depths 0–3 with k1, differs at 4
    static let k3 = Digest(canonical: 0, 1, 0, 0)  // depth-0 bit 0: the other side of the root
    static let absentFound = Digest(canonical: 2, 0, 0, 0)  // depth-0 bit 0: meets k3's leaf
    static let absentEmpty = Digest(canonical: 1, 1, 0, 0)  // right, then an empty slot at depth 1

    /// A run through every mode, GETs of each kind included, and the kinds expected.
    static func everyMode() throws -> (actions: [SMTAction], kinds: [SMTAction.Kind]) {
        var r = SMTActionRecorder(tree: SparseMerkleTree())
        var root = NodeHash.zero
        root = try r.set(root: root, key: k1, value: UInt256(100)).newRoot
        root = try r.set(root: root, key: k2, value: UInt256(200)).newRoot
        root = try r.set(root: root, key: k3, value: UInt256(300)).newRoot
        root = try r.set(root: root, key: k1, value: UInt256(7)).newRoot
        try r.get(root: root, key: k2)
        try r.get(root: root, key: absentFound)
        try r.get(root: root, key: absentEmpty)
        root = try r.set(root: root, key: k2, value: UInt256(1, 0, 0, 1 << 8)).newRoot  // only chunk 6 non-zero
        root = try r.set(root: root, key: absentEmpty, value: .zero).newRoot
        root = try r.set(root: root, key: absentFound, value: .zero).newRoot
        root = try r.set(root: root, key: k1, value: .zero).newRoot
        root = try r.set(root: root, key: k1, value: UInt256(9)).newRoot
        root = try r.set(root: root, key: k3, value: .zero).newRoot
        root = try r.set(root: root, key: k1, value: .zero).newRoot
        root = try r.set(root: root, key: k2, value: .zero).newRoot
        try r.get(root: root, key: k2)
        let kinds: [SMTAction.Kind] = [
            .set(.insertNotFound), .set(.insertFound), .set(.insertNotFound), .set(.update), .get, .get, .get,
            .set(.update), .set(.zeroToZero), .set(.zeroToZero), .set(.deleteFound), .set(.insertFound),
            .set(.deleteNotFound), .set(.deleteFound), .set(.deleteNotFound), .get,
        ]
        return (r.actions, kinds)
    }

    @Test("no actions: the exact padding trace from row 0", arguments: [32, 1024])
    func emptyTrace(rows: Int) throws {
        let out = try StorageExecutor(rom: ROMFixture.rom()).execute([], rowCount: rows)
        #expect(out.latchRows.isEmpty && out.poseidonRequests.isEmpty && out.climbKeyRequests.isEmpty)
        TraceExpectations.expectTail(out.trace, from: 0, lineZeroRegisters: true)
        #expect(PILModel.firstViolation(out.trace, rom: try ROMFixture.rom()) == nil)
    }

    @Test("every SET mode and GET kind from real SMT operations: latches, hashes, climbs, tail")
    func everyModeTrace() throws {
        let (actions, kinds) = try Self.everyMode()
        #expect(actions.map(\.kind) == kinds)
        // The modes' shapes this test relies on.
        #expect(actions[5].isOld0 == false && actions[6].isOld0 && actions[6].siblings.count == 2)
        #expect(actions[10].siblings.count == 1 && actions[13].siblings.isEmpty)
        #expect(actions[12].siblings.count == 1 && !actions[12].siblingLeftChild.isZero)
        #expect(actions[14].siblings.isEmpty)

        let n = 1 << 12
        let out = try StorageExecutor(rom: ROMFixture.rom()).execute(actions, rowCount: n)
        let t = out.trace
        #expect(out.latchRows.count == actions.count)
        #expect(out.poseidonRequests.count == actions.reduce(0) { $0 + $1.proofHashCounter })
        for (a, row) in zip(actions, out.latchRows) {
            #expect(t[a.isSet ? .latchSet : .latchGet, row] == 1)
            #expect(t[a.isSet ? .latchGet : .latchSet, row] == 0)
            #expect(Digest(canonical: t[.oldRoot0, row], t[.oldRoot1, row], t[.oldRoot2, row], t[.oldRoot3, row]) == a.oldRoot)
            if a.isSet {
                #expect(Digest(canonical: t[.newRoot0, row], t[.newRoot1, row], t[.newRoot2, row], t[.newRoot3, row]) == a.newRoot)
            }
            #expect(Digest(canonical: t[.rkey0, row], t[.rkey1, row], t[.rkey2, row], t[.rkey3, row]) == a.key)
            #expect(t[.level, row] == 0)
            #expect(t[.incCounter, row] == UInt64(a.proofHashCounter))
        }
        // Latch flags appear on the latch rows only.
        let latchRowSet = Set(out.latchRows)
        for row in 0 ..< n where !latchRowSet.contains(row) {
            #expect(t[.latchGet, row] == 0 && t[.latchSet, row] == 0)
        }
        // Hash rows carry their Poseidon request; climbs are one per climb row.
        for request in out.poseidonRequests {
            #expect(t[.hash, request.row] == 1)
            #expect(Digest(canonical: t[.free0, request.row], t[.free1, request.row], t[.free2, request.row],
                           t[.free3, request.row]) == request.result)
        }
        #expect(out.climbKeyRequests.count == (0 ..< n).filter { t[.climbRkey, $0] + t[.climbSiblingRkey, $0] == 1 }.count)
        TraceExpectations.expectTail(t, from: out.latchRows[actions.count - 1] + 1, lineZeroRegisters: false)
        #expect(PILModel.firstViolation(t, rom: try ROMFixture.rom()) == nil)
    }

    @Test("the PIL model rejects a trace with one wrong cell")
    func pilModelCatchesCorruption() throws {
        let (actions, _) = try Self.everyMode()
        let rom = try ROMFixture.rom()
        let out = try StorageExecutor(rom: rom).execute(actions, rowCount: 1 << 12)
        let hashRow = out.poseidonRequests[3].row, climbRow = out.climbKeyRequests[2].row
        let edits: [(StorageColumn, Int, UInt64, String)] = [
            (.op0inv, 1, 2, "E6 row 1"),
            // A wrong free value also breaks the setter of the register it is written to (E2 comes first).
            (.free0, hashRow, out.trace[.free0, hashRow] ^ 1, "row \(hashRow)"),
            (.free1, climbRow, out.trace[.free1, climbRow] ^ 1, "row \(climbRow)"),
            (.jmp, 0, 1, "E12 ROM lookup row 0 (pc 0)"),
        ]
        for (column, row, value, expected) in edits {
            var t = out.trace
            t[column, row] = value
            let violation = PILModel.firstViolation(t, rom: rom)
            #expect(violation?.hasSuffix(expected) == true, "\(column.name) row \(row): \(violation ?? "none")")
        }
    }

    @Test("rows and hashes per action match spec §11")
    func rowCosts() throws {
        let (actions, _) = try Self.everyMode()
        let out = try StorageExecutor(rom: ROMFixture.rom()).execute(actions, rowCount: 1 << 12)
        var previous = -1
        for (index, (action, row)) in zip(actions, out.latchRows).enumerated() {
            #expect(row - previous == RowCost.rows(action), "action \(index) \(action.kind)")
            previous = row
        }
        var hashes = 0
        for (index, action) in actions.enumerated() {
            let start = index == 0 ? 0 : out.latchRows[index - 1] + 1
            let count = out.poseidonRequests.filter { $0.row >= start && $0.row <= out.latchRows[index] }.count
            #expect(count == action.proofHashCounter, "action \(index)")
            hashes += count
        }
        #expect(hashes == out.poseidonRequests.count)
    }
}

import Foundation
import Goldilocks
import PIL
import SMT
import StorageSM
import Testing
import TestSupport

/// The storage SM executor's three machine traces (Storage, PoseidonG, ClimbKey) from real SMT
/// operations, checked by the independent PIL checker against the shipped PIL files
/// (`storage_main.test.pil` and its includes), constants built by ``ConstantPolynomials``.
@Suite(.serialized) struct ExecutorTraceCheckTests {
    static let directory = Vectors.url("storage-sm")
    static let n = 1 << 12
    /// The namespaces checked: everything but Main (whose permutations need Main's columns).
    static let namespaces: Set<String> = ["Global", "Storage", "PoseidonG", "ClimbKey"]

    static let k1 = Digest(canonical: 1, 0, 0, 0)
    static let k2 = Digest(canonical: 3, 0, 0, 0)  // shares depths 0–3 with k1, differs at 4
    static let k3 = Digest(canonical: 0, 1, 0, 0)  // depth-0 bit 0: the other side of the root
    static let absentFound = Digest(canonical: 2, 0, 0, 0)  // meets k3's leaf
    static let absentEmpty = Digest(canonical: 1, 1, 0, 0)  // right, then an empty slot

    /// Every SET mode and GET kind from real SMT operations through the recorder.
    static func everyModeActions() throws -> [SMTAction] {
        var r = SMTActionRecorder(tree: SparseMerkleTree())
        var root = NodeHash.zero
        try r.get(root: root, key: k1)                                                   // get, empty tree
        root = try r.set(root: root, key: k1, value: .zero).newRoot                      // zeroToZero, empty tree
        root = try r.set(root: root, key: k1, value: UInt256(100)).newRoot               // insertNotFound (empty)
        root = try r.set(root: root, key: k1, value: .zero).newRoot                      // deleteNotFound, S = 0: only leaf
        root = try r.set(root: root, key: k1, value: UInt256(100)).newRoot               // insertNotFound
        root = try r.set(root: root, key: k2, value: UInt256(200)).newRoot               // insertFound
        root = try r.set(root: root, key: k3, value: UInt256(300)).newRoot               // insertNotFound
        root = try r.set(root: root, key: k1, value: UInt256(7)).newRoot                 // update
        try r.get(root: root, key: k2)                                                   // get, present
        try r.get(root: root, key: absentFound)                                          // get, absent (other leaf)
        try r.get(root: root, key: absentEmpty)                                          // get, absent (empty slot)
        root = try r.set(root: root, key: k2, value: UInt256(1, 0, 0, 1 << 8)).newRoot   // update, high chunk
        root = try r.set(root: root, key: absentEmpty, value: .zero).newRoot             // zeroToZero, no leaf
        root = try r.set(root: root, key: absentFound, value: .zero).newRoot             // zeroToZero, found leaf
        root = try r.set(root: root, key: k1, value: .zero).newRoot                      // deleteFound
        root = try r.set(root: root, key: k1, value: UInt256(9)).newRoot                 // insertFound
        root = try r.set(root: root, key: k3, value: .zero).newRoot                      // deleteNotFound
        root = try r.set(root: root, key: k1, value: .zero).newRoot                      // deleteFound
        root = try r.set(root: root, key: k2, value: .zero).newRoot                      // deleteNotFound, S = 0: only leaf
        try r.get(root: root, key: k2)                                                   // get, empty again
        return r.actions
    }

    /// Deleting the last leaf reports `deleteNotFound` with no siblings (spec storage-sm §2, the
    /// `mode` row: the current SMT never emits `deleteLast`).
    static let expectedKinds: [SMTAction.Kind] = [
        .get, .set(.zeroToZero), .set(.insertNotFound), .set(.deleteNotFound), .set(.insertNotFound),
        .set(.insertFound), .set(.insertNotFound), .set(.update), .get, .get, .get, .set(.update),
        .set(.zeroToZero), .set(.zeroToZero), .set(.deleteFound), .set(.insertFound), .set(.deleteNotFound),
        .set(.deleteFound), .set(.deleteNotFound), .get,
    ]

    static func program() throws -> Program {
        try Program.load(directory.appendingPathComponent("storage_main.test.pil"), searchDirectories: [directory])
    }

    static func checker(maxFailures: Int = 4) throws -> ConstraintChecker {
        ConstraintChecker(program: try program(), maxFailures: maxFailures, tableRules: [.climbKey])
    }

    /// The committed columns of one machine as qualified `Namespace.column` entries.
    static func columns<C: MachineColumn>(_ trace: MachineTrace<C>) -> [String: [UInt64]] {
        var out: [String: [UInt64]] = [:]
        for column in C.allCases { out["\(C.machineName).\(column.name)"] = Array(trace.column(column)) }
        return out
    }

    static func storageColumns(_ trace: StorageTrace) -> [String: [UInt64]] {
        var out: [String: [UInt64]] = [:]
        for column in StorageColumn.allCases { out["Storage.\(column.name)"] = Array(trace.column(column)) }
        return out
    }

    /// Executes the every-mode actions and returns the traces.
    static func traces() throws -> StorageSMTraces {
        let actions = try everyModeActions()
        let executor = StorageExecutor(rom: try .init(contentsOf: directory.appendingPathComponent("storage_sm_rom.json")))
        return try executor.execute(actions, rowCount: n).traces()
    }

    /// Constants plus the three committed traces.
    static func columnData(_ traces: StorageSMTraces, rowCount: Int = n) throws -> ColumnData {
        var data = try ConstantPolynomials.storageProgram(
            rowCount: rowCount,
            sources: .init(storageROM: directory.appendingPathComponent("storage_sm_rom.json"),
                           poseidonConstants: Vectors.url("state-tree/poseidon-constants.json")),
            includeClimbKeyTable: false)
        let committed = storageColumns(traces.storage).merging(columns(traces.poseidonG)) { a, _ in a }
            .merging(columns(traces.climbKey)) { a, _ in a }
        for (name, values) in committed { try data.set(name, values) }
        return data
    }

    @Test func actionsCoverEveryMode() throws {
        let actions = try Self.everyModeActions()
        #expect(actions.map(\.kind) == Self.expectedKinds)
        #expect(actions[3].siblings.isEmpty)   // deleting the only leaf
        #expect(actions[14].siblings.count == 1 && actions[16].siblings.count == 1)
        #expect(!actions[16].siblingLeftChild.isZero)  // deleteNotFound with S > 0
        #expect(actions[18].siblings.isEmpty)  // deleteNotFound down to a single leaf
        #expect(actions[13].isOld0 == false)   // zeroToZero meeting another key's leaf
        #expect(actions[12].isOld0)            // zeroToZero in an empty slot
    }

    @Test func programColumnNamesMatchTheTraces() throws {
        let program = try Self.program()
        #expect(program.namespace("Storage")?.committed == StorageColumn.allCases.map(\.name))
        #expect(program.namespace("PoseidonG")?.committed == PoseidonGColumn.allCases.map(\.name))
        #expect(program.namespace("ClimbKey")?.committed == ClimbKeyColumn.allCases.map(\.name))
    }

    @Test func cleanTracePassesEveryNonMainConstraint() throws {
        let traces = try Self.traces()
        #expect(traces.storageRowsUsed > 0 && traces.storageRowsUsed < Self.n)
        let data = try Self.columnData(traces)
        let failures = try Self.checker().check(data, namespaces: Self.namespaces)
        for failure in failures { print("failure: \(failure)") }
        #expect(failures.isEmpty)
    }

    /// The clean check is not vacuous: a changed PoseidonG output on a Storage hash row breaks
    /// the Storage→PoseidonG permutation (and PoseidonG's own constancy identities), and a
    /// changed ClimbKey chunk breaks ClimbKey's identities or its table plookup.
    @Test func otherMachinesTamperingIsCaught() throws {
        let traces = try Self.traces()
        let clean = try Self.columnData(traces)
        let checker = try Self.checker(maxFailures: 1)
        let poseidonRow = try #require(Array(traces.poseidonG.column(.result3)).firstIndex(of: 1))
        var poseidon = Array(traces.poseidonG.column(.hash0))
        poseidon[poseidonRow] = (poseidon[poseidonRow] + 1) % Self.p
        var data = clean
        try data.set("PoseidonG.hash0", poseidon)
        #expect(!(try checker.checkTupleConstraints(data, namespaces: ["Storage"])).isEmpty)
        #expect(!(try checker.check(data, namespaces: ["PoseidonG"])).isEmpty)

        let climbRow = try #require(Array(traces.climbKey.column(.result)).firstIndex(of: 1))
        var chunk = Array(traces.climbKey.column(.keyInChunk))
        chunk[climbRow] = (chunk[climbRow] + 1) % Self.p
        data = clean
        try data.set("ClimbKey.keyInChunk", chunk)
        #expect(!(try checker.check(data, namespaces: ["ClimbKey"])).isEmpty)
    }

    // MARK: Tampering

    static let p: UInt64 = 0xFFFF_FFFF_0000_0001

    /// Whether storage.pil constrains Storage cell (`column`, `row`) at all: every cell is constrained
    /// (registers by the next-row setters, cyclic over N; flags, const0 and jmpAddress by the ROM
    /// plookup; pc, level, rkeyBit, incCounter by their identities) except the cases below.
    static func isConstrained(_ column: StorageColumn, row: Int, _ t: StorageTrace) -> Bool {
        switch column {
        case .free0:
            // Only read through `inFree * free0` in op0.
            return t[.inFree, row] == 1
        case .free1, .free2, .free3:
            // Only read through `inFree * freeK` in opK, and opK (K ≥ 1) is only read by the
            // four-limb setters, the hash permutation and the climb permutation.
            let users: [StorageColumn] = [.setHashLeft, .setHashRight, .setOldRoot, .setNewRoot, .setValueLow,
                                          .setValueHigh, .setSiblingValueHash, .setRkey, .setSiblingRkey,
                                          .hash, .climbRkey, .climbSiblingRkey]
            return t[.inFree, row] == 1 && users.contains { t[$0, row] == 1 }
        case .op0inv:
            // `opIsZero * op0 = 0` with opIsZero = 1 − op0·op0inv holds for any op0inv when op0 = 0.
            return op0(t, row) != 0
        default:
            return true
        }
    }

    /// op0 as storage.pil defines it.
    static func op0(_ t: StorageTrace, _ row: Int) -> UInt64 {
        func f(_ v: UInt64) -> FieldElement { FieldElement(canonical: v) }
        let terms: [(StorageColumn, StorageColumn)] = [
            (.inLevel, .level), (.inOldRoot, .oldRoot0), (.inNewRoot, .newRoot0), (.inValueLow, .valueLow0),
            (.inValueHigh, .valueHigh0), (.inSiblingValueHash, .siblingValueHash0), (.inSiblingRkey, .siblingRkey0),
            (.inRkey, .rkey0), (.inFree, .free0), (.inRkeyBit, .rkeyBit), (.inRotlVh, .valueHigh3),
        ]
        var sum = f(t[.const0, row])
        for (flag, register) in terms { sum = sum + f(t[flag, row]) * f(t[register, row]) }
        return sum.value
    }

    /// The cells ``isConstrained`` excludes really are free: changing the first cell of each
    /// excluded kind (free0/free1 with inFree = 0, free1..3 on an inFree row whose op1..3 nobody
    /// reads, op0inv where op0 = 0) passes the checker.
    @Test func excludedStorageCellsAreUnconstrained() throws {
        let traces = try Self.traces()
        let clean = try Self.columnData(traces)
        let checker = try Self.checker(maxFailures: 1)
        let t = traces.storage
        let rows = 0 ..< traces.storageRowsUsed
        var picks: [(StorageColumn, Int)] = []
        if let r = rows.first(where: { t[.inFree, $0] == 0 }) { picks += [(.free0, r), (.free1, r)] }
        if let r = rows.first(where: { t[.inFree, $0] == 1 && !Self.isConstrained(.free1, row: $0, t) }) {
            picks += [(.free1, r), (.free2, r), (.free3, r)]
        }
        if let r = rows.first(where: { !Self.isConstrained(.op0inv, row: $0, t) }) { picks.append((.op0inv, r)) }
        #expect(picks.count == 6)
        for (column, row) in picks {
            #expect(!Self.isConstrained(column, row: row, t))
            var values = Array(t.column(column))
            values[row] = (values[row] + 12345) % Self.p
            var data = clean
            try data.set("Storage.\(column.name)", values)
            let failures = try checker.check(data, namespaces: ["Storage"])
            #expect(failures.isEmpty, "Storage.\(column.name) row \(row) is constrained after all: \(failures)")
        }
    }

    /// Changes one Storage cell at 300 seeded random constrained (row, column) positions and
    /// expects a failure for each; cells ``isConstrained`` excludes are skipped (see
    /// ``excludedStorageCellsAreUnconstrained()``). Only the Storage
    /// namespace's constraints are checked: poseidong.pil, climb_key.pil and global.pil never
    /// reference a Storage column, so no other namespace can see a Storage cell.
    @Test func tamperingAnyConstrainedStorageCellIsCaught() throws {
        let seed = ProcessInfo.processInfo.environment["ZKSTATE_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0 ... UInt64.max)
        print("ExecutorTraceCheckTests.tampering seed: \(seed) (ZKSTATE_SEED=\(seed) replays)")
        var rng = SplitMix64(seed: seed)
        let traces = try Self.traces()
        let clean = try Self.columnData(traces)
        let checker = try Self.checker(maxFailures: 1)
        let t = traces.storage
        var tested = 0
        var attempts = 0
        while tested < 300 {
            attempts += 1
            #expect(attempts < 10_000)
            if attempts >= 10_000 { break }
            // Half of the picks inside the used rows, half anywhere (the padding loop too).
            let rowLimit = rng.next() % 2 == 0 ? traces.storageRowsUsed : Self.n
            let row = Int(rng.next() % UInt64(rowLimit))
            let column = StorageColumn.allCases[Int(rng.next() % UInt64(StorageColumn.allCases.count))]
            guard Self.isConstrained(column, row: row, t) else { continue }
            let delta = 1 + rng.next() % (Self.p - 1)
            let old = t[column, row]
            let new = old >= Self.p - delta ? old - (Self.p - delta) : old + delta
            var data = clean
            var values = Array(t.column(column))
            values[row] = new
            try data.set("Storage.\(column.name)", values)
            let failures = try checker.check(data, namespaces: ["Storage"])
            #expect(!failures.isEmpty, "Storage.\(column.name) row \(row): \(old) → \(new) not caught (seed \(seed))")
            tested += 1
        }

    }
}

/// SplitMix64, a small seeded generator for replayable picks.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

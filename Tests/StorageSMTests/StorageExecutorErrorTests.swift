import Foundation
import Testing
import Goldilocks
import SMT
import StorageSM

@Suite("StorageExecutor errors")
struct StorageExecutorErrorTests {
    /// A GET of `key` on a one-leaf tree holding `key` (14 rows: S = 0, chunk 0 non-zero).
    static func getOnOneLeaf() throws -> SMTAction {
        var r = SMTActionRecorder(tree: SparseMerkleTree())
        let root = try r.set(root: .zero, key: StorageExecutorTests.k1, value: UInt256(5)).newRoot
        try r.get(root: root, key: StorageExecutorTests.k1)
        return r.actions[1]
    }

    /// A GET on the empty tree (11 rows).
    static func getOnEmpty() throws -> SMTAction {
        SMTAction(try SparseMerkleTree().get(root: .zero, key: StorageExecutorTests.k2))
    }

    /// A tiny ROM made of `lines` (diagnostic keys added).
    static func rom(_ lines: [[String: Any]]) throws -> StorageROM {
        let program = lines.enumerated().map { i, l in
            l.merging(["line": i, "fileName": "test.zkasm", "lineStr": "test line \(i)"]) { a, _ in a }
        }
        return try StorageROM(jsonData: JSONSerialization.data(withJSONObject: ["program": program]))
    }

    @Test("row count must be a positive multiple of 32", arguments: [0, 16, 31, 48, -32])
    func rowCount(n: Int) throws {
        #expect(throws: StorageExecutorError.invalidRowCount(n)) {
            try StorageExecutor(rom: ROMFixture.rom()).execute([], rowCount: n)
        }
    }

    @Test("the last latch may sit at row N − 11, not later")
    func latchBoundary() throws {
        let executor = StorageExecutor(rom: try ROMFixture.rom())
        let empty = try Self.getOnEmpty()
        // Two 11-row GETs latch at rows 10 and 21 = N − 11: the tail just fits.
        let out = try executor.execute([empty, empty], rowCount: 32)
        #expect(out.latchRows == [10, 21])
        TraceExpectations.expectTail(out.trace, from: 22, lineZeroRegisters: false)
        // 14 + 11 rows: the second latch would be at row 24 > 21.
        #expect(throws: StorageExecutorError.outOfRows(action: 1, latchedActions: 1, rowCount: 32)) {
            try executor.execute([try Self.getOnOneLeaf(), empty], rowCount: 32)
        }
        // Three GETs: the third is still running at row N − 1.
        #expect(throws: StorageExecutorError.outOfRows(action: 2, latchedActions: 2, rowCount: 32)) {
            try executor.execute([empty, empty, empty], rowCount: 32)
        }
        // The whole every-mode run needs 636 rows plus the tail.
        let (actions, _) = try StorageExecutorTests.everyMode()
        #expect(throws: StorageExecutorError.outOfRows(action: 11, latchedActions: 11, rowCount: 512)) {
            try executor.execute(actions, rowCount: 512)
        }
    }

    @Test("a found-leaf GET whose leaf has the key's remaining key reaches AssertFails")
    func assertFails() throws {
        let (actions, _) = try StorageExecutorTests.everyMode()
        var bad = actions[5]  // GET of an absent key meeting another leaf at depth 1
        #expect(bad.kind == .get && !bad.isOld0 && bad.siblings.count == 1)
        // The same remaining key (depth-0 bit flipped): RKEY − SIBLING_RKEY = 0 cannot be proven non-zero.
        bad.insKey = Digest(canonical: bad.key.e0.value ^ 1, bad.key.e1.value, bad.key.e2.value, bad.key.e3.value)
        #expect(throws: StorageExecutorError.self) {
            try StorageExecutor(rom: ROMFixture.rom()).execute([bad], rowCount: 1024)
        }
        do {
            _ = try StorageExecutor(rom: ROMFixture.rom()).execute([bad], rowCount: 1024)
        } catch let error as StorageExecutorError {
            guard case let .assertFails(action, row) = error else {
                Issue.record("expected assertFails, got \(error)")
                return
            }
            #expect(action == 0 && row > 0)
        }
    }

    @Test("latch rows are checked against the action")
    func latchMismatch() throws {
        let executor = StorageExecutor(rom: try ROMFixture.rom())
        var wrongRoot = try Self.getOnOneLeaf()
        let realRoot = wrongRoot.root
        wrongRoot.oldRoot = Digest(canonical: 1, 2, 3, 4)
        wrongRoot.newRoot = wrongRoot.oldRoot
        #expect(throws: StorageExecutorError.latchMismatch(action: 0, row: 13, field: "root",
                                                           expected: "\(wrongRoot.root.elements)", found: "\(realRoot.elements)")) {
            try executor.execute([wrongRoot], rowCount: 64)
        }
        var wrongCounter = try Self.getOnOneLeaf()
        wrongCounter.proofHashCounter += 1
        #expect(throws: StorageExecutorError.latchMismatch(action: 0, row: 13, field: "incCounter (proofHashCounter)",
                                                           expected: "3", found: "2")) {
            try executor.execute([wrongCounter], rowCount: 64)
        }
        var wrongKind = try Self.getOnOneLeaf()
        wrongKind.kind = .set(.update)
        wrongKind.oldValue = UInt256(4)
        #expect(throws: StorageExecutorError.self) {
            try executor.execute([wrongKind], rowCount: 64)
        }
    }

    @Test("errors of other programs: closing the cycle, running off the ROM, climbing past p, stray latch")
    func customROMs() throws {
        // LEVEL := 1 then loop: row N − 1 would write LEVEL = 1 into row 0.
        let levelLoop = try Self.rom([["CONST": 1, "setLEVEL": 1], ["jmp": 1, "jmpAddress": 0]])
        #expect(throws: StorageExecutorError.traceDoesNotClose(column: .level, expected: 0, found: 1)) {
            try StorageExecutor(rom: levelLoop).execute([], rowCount: 32)
        }
        let fallsOff = try Self.rom([["CONST": 0]])
        #expect(throws: StorageExecutorError.pcOutOfRange(action: 0, row: 1, pc: 1)) {
            try StorageExecutor(rom: fallsOff).execute([], rowCount: 32)
        }
        // RKEY0 := p − 1, then climb it: 2·(p − 1) + 0 wraps.
        let climb = try Self.rom([
            ["CONST": -1, "setRKEY": 1],
            ["inFREE": 1, "freeInTag": ["op": ""], "climbRkey": 1, "setRKEY": 1],
        ])
        #expect(throws: StorageExecutorError.climb(action: 0, row: 1, register: "RKEY",
                                                   reason: "2·18446744069414584320 + 0 is not below p (limb 0, LEVEL 0)")) {
            try StorageExecutor(rom: climb).execute([], rowCount: 32)
        }
        let strayLatch = try Self.rom([["latchGet": 1], ["jmp": 1, "jmpAddress": 0]])
        #expect(throws: StorageExecutorError.unexpectedLatch(action: 0, row: 0, reason: "latch with the action list exhausted")) {
            try StorageExecutor(rom: strayLatch).execute([], rowCount: 32)
        }
        #expect(throws: StorageExecutorError.unexpectedLatch(action: 0, row: 0, reason: "latchGet on a SET action")) {
            var set = try Self.getOnEmpty()
            set.kind = .set(.zeroToZero)
            return try StorageExecutor(rom: strayLatch).execute([set], rowCount: 32)
        }
    }
}

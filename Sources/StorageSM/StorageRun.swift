import Goldilocks
import Poseidon
import SMT

/// The mutable state of one executor run: the trace being filled, the current action and its
/// context (spec §3.1).
///
/// The Storage trace is row-major (``StorageColumn/layout``) and rows are written whole, one
/// after another: a row starts as its predecessor's successor (free input 0, registers, pc,
/// incCounter) and the row's own step writes every other column, and the padding rows are
/// written in bulk. So the buffer is not zeroed beforehand — each cell of the N rows is written
/// once — and the used rows are one contiguous stretch of memory, filled while the pages the
/// kernel has just zeroed are still in cache.
struct StorageRun {
    let actions: [SMTAction]
    let rowCount: Int
    let rom: DecodedStorageROM
    /// The `AssertFails` line, if the ROM has one.
    let assertFailsLine: Int?
    /// The trace's N rows (row `r` at `rows + r · width`), valid for the run's lifetime.
    let rows: UnsafeMutablePointer<UInt64>
    /// Where the successor of row N − 1 is built before it is checked against row 0.
    let wrapRow: UnsafeMutablePointer<UInt64>
    /// Rows whose op0 is not 0, in order, and the running products of those op0 (for one batch inversion).
    var op0Rows: [Int] = []
    var op0Products: [FieldElement] = []
    /// Hash requests so far.
    var poseidonRequests: [StoragePoseidonRequest] = []
    /// Climb requests so far.
    var climbKeyRequests: [StorageClimbKeyRequest] = []
    /// Latch row of each action so far.
    var latchRows: [Int] = []
    /// Index of the current action (= actions.count when the list is exhausted).
    var actionIndex = 0
    /// Context of the current action, nil when the list is exhausted.
    var context: SMTActionContext?
    /// The current action's known hashes (empty when the list is exhausted).
    var knownHashes: [KnownHash] = []
    /// currentLevel of §1.5, decremented by GetNextKeyBit.
    var currentLevel = 0
    /// Where the search for the next known hash starts.
    var knownHashCursor = 0
    /// Hashes computed because the action did not supply them.
    var computedHashCount = 0

    static let width = StorageColumn.count
    static let pcColumn = StorageColumn.pc.rawValue
    static let rkeyBitColumn = StorageColumn.rkeyBit.rawValue
    static let levelColumn = StorageColumn.level.rawValue
    static let incCounterColumn = StorageColumn.incCounter.rawValue
    static let op0invColumn = StorageColumn.op0inv.rawValue

    /// A run over the `rowCount` rows at `rows`; `wrapRow` holds one row of scratch.
    init(rom: DecodedStorageROM, assertFailsLine: Int?, actions: [SMTAction], rowCount: Int,
         rows: UnsafeMutablePointer<UInt64>, wrapRow: UnsafeMutablePointer<UInt64>) throws(StorageExecutorError) {
        self.rom = rom
        self.assertFailsLine = assertFailsLine
        self.actions = actions
        self.rowCount = rowCount
        self.rows = rows
        self.wrapRow = wrapRow
        latchRows.reserveCapacity(actions.count)
        // Rows per action (spec §11): about 9 per level and 40 more; op0 is not 0 on some of them.
        let estimatedRows = actions.reduce(64) { $0 + 9 * $1.siblings.count + 40 }
        op0Rows.reserveCapacity(min(rowCount, estimatedRows))
        op0Products.reserveCapacity(min(rowCount, estimatedRows))
        // Exact for consistent actions: one hash row per counted hash.
        poseidonRequests.reserveCapacity(actions.reduce(0) { $0 + max(0, $1.proofHashCounter) })
        try loadAction()
    }

    /// The current action, nil when the list is exhausted.
    var action: SMTAction? { actionIndex < actions.count ? actions[actionIndex] : nil }

    /// Builds the context of the action at `actionIndex`, if any.
    mutating func loadAction() throws(StorageExecutorError) {
        if let a = action {
            let ctx = try SMTActionContext(a, actionIndex: actionIndex)
            context = ctx
            currentLevel = ctx.level
            knownHashes = a.knownHashes
            knownHashCursor = 0
        } else {
            context = nil
            knownHashes = []
            currentLevel = 0
        }
    }

    /// Runs the ROM over rows 0 ..< N (spec §3.2), then inverts op0.
    mutating func run() throws(StorageExecutorError) {
        // Row 0: every register, pc and incCounter 0.
        rows.update(repeating: 0, count: Self.width)
        var row = 0
        while row < rowCount {
            let current = StorageRow(base: rows + row * Self.width)
            let pc = Int(current[Self.pcColumn])
            guard pc < rom.count else { throw .pcOutOfRange(action: actionIndex, row: row, pc: pc) }
            if row == rowCount - 1 && actionIndex < actions.count {
                throw .outOfRows(action: actionIndex, latchedActions: actionIndex, rowCount: rowCount)
            }
            if pc == assertFailsLine { throw .assertFails(action: actionIndex, row: row) }
            let line = rom.lines[pc]
            if line.has(.paddingLoop), let end = paddingEnd(row: row, pc: pc, current) {
                row = end
                continue
            }
            try step(row: row, pc: pc, line: line, current)
            row += 1
        }
        if actionIndex < actions.count {
            throw .outOfRows(action: actionIndex, latchedActions: actionIndex, rowCount: rowCount)
        }
        invertOp0()
    }

    /// Runs line `line` (ROM line `pc`) at row `i`, at `r` (spec §3.2 steps 1–11): completes
    /// row `i` and starts row i + 1 (or checks that row 0 follows row N − 1).
    mutating func step(row i: Int, pc: Int, line: DecodedROMLine, _ r: StorageRow) throws(StorageExecutorError) {
        (r.base + DecodedStorageROM.firstLineColumn).update(
            from: rom.lineColumns + pc * DecodedStorageROM.lineColumnCount, count: DecodedStorageROM.lineColumnCount)
        // 1–2. Free input.
        var op = Digest.zero
        var climbRequest: StorageClimbKeyRequest?
        if line.has(.inFree) {
            var free = Digest.zero
            if let function = line.freeInputFunction {
                free = try freeInput(function, row: i, r)
            } else if line.has(.climbRkey) || line.has(.climbSiblingRkey) {
                let request = try climb(line, row: i, r)
                free = request.result
                climbRequest = request
            }
            r.store(free, at: 0)
            op = free
        }
        // 3–4. Constant and selectors.
        op.e0 += line.constant
        var inputs = line.inputRegisters
        while inputs != 0 {
            let k = inputs.trailingZeroBitCount
            inputs &= inputs - 1
            op = Self.add(op, Self.register(k, r))
        }
        if line.has(.inRkeyBit) { op.e0 += FieldElement(canonical: r[Self.rkeyBitColumn]) }
        if line.has(.inLevel) { op.e0 += FieldElement(canonical: r[Self.levelColumn]) }
        if line.has(.inSiblingRkey) {
            let c = line.siblingRkeyCoefficient, s = Self.register(8, r)
            op = Self.add(op, Digest(c * s.e0, c * s.e1, c * s.e2, c * s.e3))
        }
        if line.has(.inRotlVh) {
            let vh = Self.register(5, r)
            op = Self.add(op, Digest(vh.e3, vh.e0, vh.e1, vh.e2))
        }
        // 5. Hash.
        if line.has(.hash) {
            let left = Self.register(0, r), right = Self.register(1, r)
            let type: UInt64 = line.has(.hashType) ? 1 : 0
            let h = knownHash(left, right, type) ?? Poseidon.hash(left, right, capacity: Digest(canonical: type, 0, 0, 0))
            r.store(h, at: 0)
            op = Self.add(op, h)
            poseidonRequests.append(StoragePoseidonRequest(row: i, left: left, right: right, hashType: type, result: h))
        }
        // 6. Jumps, on the complete op0.
        var nextPC = UInt64(pc) + 1
        switch line.jump {
        case .none: break
        case .always: nextPC = line.jumpTarget
        case .ifZero: if op.e0.isZero { nextPC = line.jumpTarget }
        case .ifNonZero: if !op.e0.isZero { nextPC = line.jumpTarget }
        }
        // 7. Climb (the request was computed with the free input).
        if let climbRequest { climbKeyRequests.append(climbRequest) }
        // 8. Latch.
        let latches = line.has(.latchGet) || line.has(.latchSet)
        if latches {
            try checkLatch(line, row: i, r)
            guard i <= rowCount - 11 else {
                throw .outOfRows(action: actionIndex, latchedActions: actionIndex, rowCount: rowCount)
            }
            latchRows.append(i)
            actionIndex += 1
            try loadAction()
        }
        // 9–11. op0inv (inverted in one batch by `invertOp0()`), next row, counter.
        r[Self.op0invColumn] = op.e0.value
        if !op.e0.isZero {
            op0Rows.append(i)
            op0Products.append((op0Products.last ?? .one) * op.e0)
        }
        let last = i == rowCount - 1
        let next = StorageRow(base: last ? wrapRow : r.base + Self.width)
        let incCounter = line.has(.hash) ? r[Self.incCounterColumn] &+ 1 : latches ? 0 : r[Self.incCounterColumn]
        Self.stageSuccessor(of: r, at: next, line: line, op: op, pc: nextPC, incCounter: incCounter)
        if last { try Self.checkClosesCycle(next) }
    }

    /// Writes row i + 1 at `next` from row i at `r`: free input 0, registers carried over and
    /// then set by the line's setters, pc and incCounter. The other columns are written when the
    /// row runs.
    static func stageSuccessor(of r: StorageRow, at next: StorageRow, line: DecodedROMLine,
                               op: Digest, pc: UInt64, incCounter: UInt64) {
        let registers = DecodedROMLine.firstRegisterColumn
        next.base.update(repeating: 0, count: registers)
        (next.base + registers).update(from: r.base + registers, count: levelColumn + 1 - registers)
        var sets = line.setRegisters
        while sets != 0 {
            let k = sets.trailingZeroBitCount
            sets &= sets - 1
            next.store(op, at: registers + 4 * k)
        }
        if line.has(.setRkeyBit) { next[rkeyBitColumn] = op.e0.value }
        if line.has(.setLevel) { next[levelColumn] = op.e0.value }
        next[pcColumn] = pc
        next[incCounterColumn] = incCounter
    }

    /// Checks that the row after N − 1, built at `next`, is row 0 (every register 0, pc 0,
    /// incCounter 0) instead of writing it.
    static func checkClosesCycle(_ next: StorageRow) throws(StorageExecutorError) {
        for c in DecodedROMLine.firstRegisterColumn ... levelColumn where next[c] != 0 {
            throw .traceDoesNotClose(column: StorageColumn(rawValue: c)!, expected: 0, found: next[c])
        }
        for column in [StorageColumn.pc, .incCounter] where next[column.rawValue] != 0 {
            throw .traceDoesNotClose(column: column, expected: 0, found: next[column.rawValue])
        }
    }

    /// The current action's known hash of `left ‖ right` with capacity `type`, if the tree
    /// supplied it (searched from just after the last hit: the ROM climbs the paths in order).
    mutating func knownHash(_ left: Digest, _ right: Digest, _ type: UInt64) -> Digest? {
        let count = knownHashes.count
        guard count > 0 else {
            computedHashCount += 1
            return nil
        }
        var k = knownHashCursor < count ? knownHashCursor : 0
        for _ in 0..<count {
            let h = knownHashes[k]
            if h.left == left, h.right == right, h.hashType == type {
                knownHashCursor = k + 1
                return h.result
            }
            k = k + 1 == count ? 0 : k + 1
        }
        computedHashCount += 1
        return nil
    }

    /// Replaces the op0 values left in the `op0inv` column by their inverses (0 stays 0), with
    /// one field inversion for the whole trace (Montgomery's batch trick over the running
    /// products kept by `step`: 3 multiplications per row instead of an exponentiation per row).
    func invertOp0() {
        guard var inverse = op0Products.last?.inverse() else { return }
        let column = rows + Self.op0invColumn
        for k in stride(from: op0Rows.count - 1, through: 0, by: -1) {
            let cell = column + op0Rows[k] * Self.width
            let x = FieldElement(canonical: cell.pointee)
            cell.pointee = (k > 0 ? inverse * op0Products[k - 1] : inverse).value
            inverse = inverse * x
        }
    }

    /// The finished execution over `trace`, whose rows this run filled.
    func execution(_ trace: StorageTrace) -> StorageExecution {
        StorageExecution(trace: trace, poseidonRequests: poseidonRequests, climbKeyRequests: climbKeyRequests,
                         latchRows: latchRows, computedHashCount: computedHashCount)
    }

    /// Register `k` (0 hashLeft … 8 siblingRkey) of row `r`.
    static func register(_ k: Int, _ r: StorageRow) -> Digest {
        r.digest(at: DecodedROMLine.firstRegisterColumn + 4 * k)
    }

    /// Element-wise sum.
    static func add(_ a: Digest, _ b: Digest) -> Digest {
        Digest(a.e0 + b.e0, a.e1 + b.e1, a.e2 + b.e2, a.e3 + b.e3)
    }
}

import Goldilocks
import Poseidon
import SMT

/// The mutable state of one executor run: the trace being filled, the current action and its
/// context (spec §3.1).
///
/// Rows are built in a small staging block (``StagingRows``, which stays in cache) and copied
/// into the trace a block at a time, one contiguous run per column, instead of being written
/// cell by cell 79 columns N values apart. Every cell of a staged row is written before the
/// block moves, and the padding rows are written whole, so the trace buffer is not zeroed
/// beforehand: each cell of the N rows is written exactly once.
struct StorageRun {
    let actions: [SMTAction]
    let rowCount: Int
    let rom: DecodedStorageROM
    /// The `AssertFails` line, if the ROM has one.
    let assertFailsLine: Int?
    /// The columns being filled (rows before `blockStart` are final, the rest not yet written).
    var trace: StorageTrace
    /// Rows `blockStart ..< blockStart + StagingRows.capacity` as they are being built.
    let staging: StagingRows
    /// The trace row of the staging block's first row.
    var blockStart = 0
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

    init(rom: DecodedStorageROM, assertFailsLine: Int?, actions: [SMTAction], rowCount: Int) throws(StorageExecutorError) {
        self.rom = rom
        self.assertFailsLine = assertFailsLine
        self.actions = actions
        self.rowCount = rowCount
        trace = StorageTrace(uninitializedRowCount: rowCount)
        staging = StagingRows()
        latchRows.reserveCapacity(actions.count)
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
        var row = 0
        while row < rowCount {
            if row - blockStart == StagingRows.capacity { flush(rows: StagingRows.capacity) }
            let current = staging.row(row - blockStart)
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
        flush(rows: rowCount - blockStart)
        invertOp0()
    }

    /// Runs line `line` (ROM line `pc`) at `row`, staged at `r` (spec §3.2 steps 1–11): completes
    /// row `i` and stages row i + 1 right after it.
    mutating func step(row i: Int, pc: Int, line: DecodedROMLine, _ r: StagedRow) throws(StorageExecutorError) {
        let lineColumns = rom.lineColumns + pc * DecodedStorageROM.lineColumnCount
        for k in 0..<DecodedStorageROM.lineColumnCount { r[DecodedStorageROM.firstLineColumn + k] = lineColumns[k] }
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
        let next = r.next
        let incCounter = line.has(.hash) ? r[Self.incCounterColumn] &+ 1 : latches ? 0 : r[Self.incCounterColumn]
        Self.stageSuccessor(of: r, at: next, line: line, op: op, pc: nextPC, incCounter: incCounter)
        if i == rowCount - 1 { try Self.checkClosesCycle(next) }
    }

    /// Writes row i + 1 at `next` from row i at `r`: free input 0, registers carried over and
    /// then set by the line's setters, pc and incCounter. The other columns are written when the
    /// row runs.
    static func stageSuccessor(of r: StagedRow, at next: StagedRow, line: DecodedROMLine,
                               op: Digest, pc: UInt64, incCounter: UInt64) {
        let registers = DecodedROMLine.firstRegisterColumn
        for c in 0..<registers { next[c] = 0 }
        for c in registers ... levelColumn { next[c] = r[c] }
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

    /// Checks that the row after N − 1, staged at `next`, is row 0 (every register 0, pc 0,
    /// incCounter 0) instead of writing it.
    static func checkClosesCycle(_ next: StagedRow) throws(StorageExecutorError) {
        for c in DecodedROMLine.firstRegisterColumn ... levelColumn where next[c] != 0 {
            throw .traceDoesNotClose(column: StorageColumn(rawValue: c)!, expected: 0, found: next[c])
        }
        for column in [StorageColumn.pc, .incCounter] where next[column.rawValue] != 0 {
            throw .traceDoesNotClose(column: column, expected: 0, found: next[column.rawValue])
        }
    }

    /// Moves the first `rows` staged rows into the trace at `blockStart` and makes the staged
    /// row after them the block's first.
    mutating func flush(rows: Int) {
        guard rows > 0 else { return }
        let n = rowCount, start = blockStart, block = staging.columns, stride = StagingRows.stride
        trace.values.withUnsafeMutableBufferPointer { values in
            let base = values.baseAddress! + start
            for c in 0..<Self.width {
                (base + c * n).update(from: block + c * stride, count: rows)
                block[c * stride] = block[c * stride + rows]
            }
        }
        blockStart += rows
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

    /// Replaces every op0 value left in the `op0inv` column by its inverse (0 stays 0), with
    /// one field inversion for the whole column (Montgomery's batch trick: 3 multiplications per
    /// row instead of an exponentiation per row).
    mutating func invertOp0() {
        let base = StorageColumn.op0inv.rawValue * rowCount
        let rowCount = self.rowCount
        trace.values.withUnsafeMutableBufferPointer { values in
            let column = values.baseAddress! + base
            var rows: [Int32] = []
            var prefix: [FieldElement] = []
            var product = FieldElement.one
            for r in 0..<rowCount where column[r] != 0 {
                rows.append(Int32(r))
                product = product * FieldElement(canonical: column[r])
                prefix.append(product)
            }
            guard var inverse = product.inverse() else { return }
            for k in stride(from: rows.count - 1, through: 0, by: -1) {
                let r = Int(rows[k])
                let x = FieldElement(canonical: column[r])
                column[r] = (k > 0 ? inverse * prefix[k - 1] : inverse).value
                inverse = inverse * x
            }
        }
    }

    /// The finished execution.
    var execution: StorageExecution {
        StorageExecution(trace: trace, poseidonRequests: poseidonRequests, climbKeyRequests: climbKeyRequests,
                         latchRows: latchRows, computedHashCount: computedHashCount)
    }

    /// Register `k` (0 hashLeft … 8 siblingRkey) of the staged row `r`.
    static func register(_ k: Int, _ r: StagedRow) -> Digest {
        r.digest(at: DecodedROMLine.firstRegisterColumn + 4 * k)
    }

    /// Element-wise sum.
    static func add(_ a: Digest, _ b: Digest) -> Digest {
        Digest(a.e0 + b.e0, a.e1 + b.e1, a.e2 + b.e2, a.e3 + b.e3)
    }
}

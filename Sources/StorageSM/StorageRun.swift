import Goldilocks
import Poseidon
import SMT

/// The mutable state of one executor run: the trace being filled, the current action and its
/// context (spec §3.1).
struct StorageRun {
    let rom: StorageROM
    let actions: [SMTAction]
    let rowCount: Int
    /// The columns being filled.
    var trace: StorageTrace
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
    /// currentLevel of §1.5, decremented by GetNextKeyBit.
    var currentLevel = 0
    /// Where the search for the next known hash starts.
    var knownHashCursor = 0
    /// Hashes computed because the action did not supply them.
    var computedHashCount = 0

    /// The ROM lines without their diagnostic strings: copying a line per row then costs no
    /// reference counting.
    let lines: [StorageROMLine]

    init(rom: StorageROM, actions: [SMTAction], rowCount: Int) throws(StorageExecutorError) {
        self.rom = rom
        lines = rom.lines.map { line in
            var hot = line
            hot.fileName = ""
            hot.lineStr = ""
            hot.jmpAddressLabel = nil
            return hot
        }
        self.actions = actions
        self.rowCount = rowCount
        trace = StorageTrace(rowCount: rowCount)
        latchRows.reserveCapacity(actions.count)
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
            knownHashCursor = 0
        } else {
            context = nil
            currentLevel = 0
        }
    }

    /// Runs line `line` at `row` (spec §3.2 steps 1–11).
    mutating func step(row i: Int, line: StorageROMLine) throws(StorageExecutorError) {
        let next = (i + 1) % rowCount
        // 1–2. Free input.
        var op = Digest.zero
        var climbRequest: StorageClimbKeyRequest?
        if line.inFree {
            var free = Digest.zero
            if let function = line.freeInputFunction {
                free = try freeInput(function, row: i)
            } else if line.climbRkey || line.climbSiblingRkey {
                let request = try climb(line, row: i)
                free = request.result
                climbRequest = request
            }
            trace.setDigest(.free0, i, free)
            trace[.inFree, i] = 1
            op = free
        }
        // 3. Constant.
        let constant = Self.field(line.constant)
        op.e0 += constant
        trace[.const0, i] = constant.value
        // 4. Selectors.
        func add(_ flag: Bool, _ column: StorageColumn, _ register: StorageColumn) {
            guard flag else { return }
            trace[column, i] = 1
            op = Self.add(op, trace.digest(register, i))
        }
        add(line.inOldRoot, .inOldRoot, .oldRoot0)
        add(line.inNewRoot, .inNewRoot, .newRoot0)
        add(line.inValueLow, .inValueLow, .valueLow0)
        add(line.inValueHigh, .inValueHigh, .valueHigh0)
        add(line.inRkey, .inRkey, .rkey0)
        add(line.inSiblingValueHash, .inSiblingValueHash, .siblingValueHash0)
        if line.inRkeyBit {
            trace[.inRkeyBit, i] = 1
            op.e0 += FieldElement(canonical: trace[.rkeyBit, i])
        }
        if line.inLevel {
            trace[.inLevel, i] = 1
            op.e0 += FieldElement(canonical: trace[.level, i])
        }
        if line.inSiblingRkey != 0 {
            let c = Self.field(Int64(line.inSiblingRkey))
            trace[.inSiblingRkey, i] = c.value
            let s = trace.digest(.siblingRkey0, i)
            op = Self.add(op, Digest(c * s.e0, c * s.e1, c * s.e2, c * s.e3))
        }
        if line.inRotlVh {
            trace[.inRotlVh, i] = 1
            let vh = trace.digest(.valueHigh0, i)
            op = Self.add(op, Digest(vh.e3, vh.e0, vh.e1, vh.e2))
        }
        // 5. Hash.
        if line.hash {
            let left = trace.digest(.hashLeft0, i), right = trace.digest(.hashRight0, i)
            let type: UInt64 = line.hashType ? 1 : 0
            let h = knownHash(left, right, type) ?? Poseidon.hash(left, right, capacity: Digest(canonical: type, 0, 0, 0))
            trace.setDigest(.free0, i, h)
            op = Self.add(op, h)
            trace[.hash, i] = 1
            trace[.hashType, i] = type
            poseidonRequests.append(StoragePoseidonRequest(row: i, left: left, right: right, hashType: type, result: h))
        }
        // 6. Jumps, on the complete op0.
        var nextPC = trace[.pc, i] + 1
        if let target = line.jmpAddress {
            trace[.jmpAddress, i] = UInt64(target)
            if line.jmp {
                trace[.jmp, i] = 1
                nextPC = UInt64(target)
            } else if line.jmpz {
                trace[.jmpz, i] = 1
                if op.e0.isZero { nextPC = UInt64(target) }
            } else if line.jmpnz {
                trace[.jmpnz, i] = 1
                if !op.e0.isZero { nextPC = UInt64(target) }
            }
        }
        // 7. Climb flags (the request was computed with the free input).
        if line.climbBitN { trace[.climbBitN, i] = 1 }
        if line.climbRkey { trace[.climbRkey, i] = 1 }
        if line.climbSiblingRkey { trace[.climbSiblingRkey, i] = 1 }
        if let climbRequest { climbKeyRequests.append(climbRequest) }
        // 8. Latch.
        if line.latchGet || line.latchSet {
            try checkLatch(line, row: i)
            trace[line.latchGet ? .latchGet : .latchSet, i] = 1
            guard i <= rowCount - 11 else {
                throw .outOfRows(action: actionIndex, latchedActions: actionIndex, rowCount: rowCount)
            }
            latchRows.append(i)
            actionIndex += 1
            try loadAction()
        }
        // 9–11. Next row, op0inv, counter.
        trace[.op0inv, i] = op.e0.value  // inverted in one batch by `invertOp0()`
        var successor = NextRow(trace: trace, row: i)
        successor.pc = nextPC
        successor.setRegisters(line, op: op, trace: &trace, row: i)
        if line.hash {
            successor.incCounter = trace[.incCounter, i] &+ 1
        } else if line.latchGet || line.latchSet {
            successor.incCounter = 0
        }
        if next == 0 {
            try successor.checkEquals(trace: trace, row: 0)
        } else {
            successor.write(into: &trace, row: next)
        }
    }

    /// The current action's known hash of `left ‖ right` with capacity `type`, if the tree
    /// supplied it (searched from just after the last hit: the ROM climbs the paths in order).
    mutating func knownHash(_ left: Digest, _ right: Digest, _ type: UInt64) -> Digest? {
        guard let a = action, !a.knownHashes.isEmpty else {
            computedHashCount += 1
            return nil
        }
        let hashes = a.knownHashes
        let count = hashes.count
        var k = knownHashCursor < count ? knownHashCursor : 0
        for _ in 0..<count {
            let h = hashes[k]
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
        trace.values.withUnsafeMutableBufferPointer { values in
            let column = UnsafeMutableBufferPointer(rebasing: values[base ..< base + rowCount])
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

    /// A constant as a field element (−1 → p − 1); |c| < 2^32 by ROM validation.
    static func field(_ c: Int64) -> FieldElement {
        c >= 0 ? FieldElement(canonical: UInt64(c)) : .zero - FieldElement(canonical: c.magnitude)
    }

    /// Element-wise sum.
    static func add(_ a: Digest, _ b: Digest) -> Digest {
        Digest(a.e0 + b.e0, a.e1 + b.e1, a.e2 + b.e2, a.e3 + b.e3)
    }
}

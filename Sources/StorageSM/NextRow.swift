import Goldilocks

/// The registers of row i + 1 as step 9–11 of spec §3.2 compute them: copied from row i, then
/// overwritten by the line's setters.
struct NextRow {
    /// The nine 4-limb registers, in column order (hashLeft … siblingRkey).
    var registers = InlineArray<9, Digest>(repeating: .zero)
    /// RKEY_BIT.
    var rkeyBit: UInt64
    /// LEVEL.
    var level: UInt64
    /// The program counter.
    var pc: UInt64 = 0
    /// incCounter.
    var incCounter: UInt64

    /// limb-0 columns of the nine registers, in the order of `registers`.
    static func registerColumn(_ k: Int) -> StorageColumn {
        // hashLeft0 = 4, then every 4 columns up to siblingRkey0 = 36.
        StorageColumn(rawValue: StorageColumn.hashLeft0.rawValue + 4 * k) ?? .hashLeft0
    }

    /// Row `row`'s registers, carried over.
    init(trace: StorageTrace, row: Int) {
        let n = trace.rowCount
        var registers = InlineArray<9, Digest>(repeating: .zero)
        trace.values.withUnsafeBufferPointer { values in
            // hashLeft0 … siblingRkey3 are the 36 consecutive columns 4 ..< 40.
            let base = values.baseAddress! + StorageColumn.hashLeft0.rawValue * n + row
            for k in 0..<9 {
                let limb0 = base + 4 * k * n
                registers[k] = Digest(canonical: limb0[0], limb0[n], limb0[2 * n], limb0[3 * n])
            }
        }
        self.registers = registers
        rkeyBit = trace[.rkeyBit, row]
        level = trace[.level, row]
        incCounter = trace[.incCounter, row]
    }

    /// Applies the setters of `line` (register := op, RKEY_BIT and LEVEL := op0), flagging them
    /// in row `row` of `trace`.
    mutating func setRegisters(_ line: StorageROMLine, op: Digest, trace: inout StorageTrace, row: Int) {
        func set(_ flag: Bool, _ k: Int, _ column: StorageColumn) {
            guard flag else { return }
            registers[k] = op
            trace[column, row] = 1
        }
        set(line.setHashLeft, 0, .setHashLeft)
        set(line.setHashRight, 1, .setHashRight)
        set(line.setOldRoot, 2, .setOldRoot)
        set(line.setNewRoot, 3, .setNewRoot)
        set(line.setValueLow, 4, .setValueLow)
        set(line.setValueHigh, 5, .setValueHigh)
        set(line.setSiblingValueHash, 6, .setSiblingValueHash)
        set(line.setRkey, 7, .setRkey)
        set(line.setSiblingRkey, 8, .setSiblingRkey)
        if line.setRkeyBit {
            rkeyBit = op.e0.value
            trace[.setRkeyBit, row] = 1
        }
        if line.setLevel {
            level = op.e0.value
            trace[.setLevel, row] = 1
        }
    }

    /// Writes these values as row `row`.
    func write(into trace: inout StorageTrace, row: Int) {
        let n = trace.rowCount
        let registers = self.registers
        trace.values.withUnsafeMutableBufferPointer { values in
            let base = values.baseAddress! + StorageColumn.hashLeft0.rawValue * n + row
            for k in 0..<9 {
                let limb0 = base + 4 * k * n, d = registers[k]
                limb0[0] = d.e0.value
                limb0[n] = d.e1.value
                limb0[2 * n] = d.e2.value
                limb0[3 * n] = d.e3.value
            }
        }
        trace[.rkeyBit, row] = rkeyBit
        trace[.level, row] = level
        trace[.pc, row] = pc
        trace[.incCounter, row] = incCounter
    }

    /// Checks that row `row` already holds these values (the wrap from row N − 1 to row 0).
    func checkEquals(trace: StorageTrace, row: Int) throws(StorageExecutorError) {
        func check(_ column: StorageColumn, _ value: UInt64) throws(StorageExecutorError) {
            guard trace[column, row] == value else {
                throw .traceDoesNotClose(column: column, expected: trace[column, row], found: value)
            }
        }
        for k in 0..<9 {
            let first = Self.registerColumn(k).rawValue, d = registers[k]
            for limb in 0..<4 {
                if let column = StorageColumn(rawValue: first + limb) { try check(column, d[limb].value) }
            }
        }
        try check(.rkeyBit, rkeyBit)
        try check(.level, level)
        try check(.pc, pc)
        try check(.incCounter, incCounter)
    }
}

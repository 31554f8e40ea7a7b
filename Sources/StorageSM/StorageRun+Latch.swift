import Goldilocks
import SMT

extension StorageRun {
    /// The checks of a latch row (spec §3.6).
    func checkLatch(_ line: StorageROMLine, row i: Int) throws(StorageExecutorError) {
        guard let a = action else {
            throw .unexpectedLatch(action: actionIndex, row: i, reason: "latch with the action list exhausted")
        }
        guard line.latchSet == a.isSet else {
            throw .unexpectedLatch(action: actionIndex, row: i,
                                   reason: "\(line.latchSet ? "latchSet" : "latchGet") on a \(a.isSet ? "SET" : "GET") action")
        }
        func check(_ field: String, _ expected: Digest, _ found: Digest) throws(StorageExecutorError) {
            guard expected == found else {
                throw .latchMismatch(action: actionIndex, row: i, field: field,
                                     expected: "\(expected.elements)", found: "\(found.elements)")
            }
        }
        func check(_ field: String, _ expected: UInt64, _ found: UInt64) throws(StorageExecutorError) {
            guard expected == found else {
                throw .latchMismatch(action: actionIndex, row: i, field: field, expected: "\(expected)", found: "\(found)")
            }
        }
        try check(a.isSet ? "oldRoot" : "root", a.oldRoot, trace.digest(.oldRoot0, i))
        if a.isSet { try check("newRoot", a.newRoot, trace.digest(.newRoot0, i)) }
        try check("rkey (key)", a.key, trace.digest(.rkey0, i))
        try check("level", 0, trace[.level, i])
        try check("valueLow", ValueChunks.low(a.value), trace.digest(.valueLow0, i))
        try check("valueHigh", ValueChunks.high(a.value), trace.digest(.valueHigh0, i))
        try check("incCounter (proofHashCounter)", UInt64(a.proofHashCounter), trace[.incCounter, i])
    }

    /// Padding fast path (spec §11): at the `isAlmostEndPolynomial` self-loop with every
    /// register zero, rows `row ..< N − 2` are identical; fill them at once and return N − 2.
    mutating func paddingEnd(row: Int, pc: Int) -> Int? {
        let line = lines[pc]
        guard row < rowCount - 2, line.freeInputFunction == .isAlmostEndPolynomial, line.jmpz,
              line.jmpAddress == pc, line.operation == (1 << 21) | (1 << 7), line.constant == 0,
              line.inSiblingRkey == 0 else { return nil }
        for c in StorageColumn.hashLeft0.rawValue ... StorageColumn.level.rawValue {
            if let column = StorageColumn(rawValue: c), trace[column, row] != 0 { return nil }
        }
        guard trace[.incCounter, row] == 0 else { return nil }
        let end = rowCount - 2
        trace.fill(.pc, rows: row ... end, with: UInt64(pc))
        trace.fill(.inFree, rows: row ..< end, with: 1)
        trace.fill(.jmpz, rows: row ..< end, with: 1)
        trace.fill(.jmpAddress, rows: row ..< end, with: UInt64(pc))
        return end
    }
}

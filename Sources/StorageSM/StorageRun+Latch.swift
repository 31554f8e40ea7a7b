import Goldilocks
import SMT

extension StorageRun {
    /// The checks of a latch row staged at `r` (spec §3.6).
    func checkLatch(_ line: DecodedROMLine, row i: Int, _ r: StorageRow) throws(StorageExecutorError) {
        guard let a = action else {
            throw .unexpectedLatch(action: actionIndex, row: i, reason: "latch with the action list exhausted")
        }
        let latchSet = line.has(.latchSet)
        guard latchSet == a.isSet else {
            throw .unexpectedLatch(action: actionIndex, row: i,
                                   reason: "\(latchSet ? "latchSet" : "latchGet") on a \(a.isSet ? "SET" : "GET") action")
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
        func digest(_ first: StorageColumn) -> Digest { r.digest(at: first.rawValue) }
        try check(a.isSet ? "oldRoot" : "root", a.oldRoot, digest(.oldRoot0))
        if a.isSet { try check("newRoot", a.newRoot, digest(.newRoot0)) }
        try check("rkey (key)", a.key, digest(.rkey0))
        try check("level", 0, r[Self.levelColumn])
        try check("valueLow", ValueChunks.low(a.value), digest(.valueLow0))
        try check("valueHigh", ValueChunks.high(a.value), digest(.valueHigh0))
        try check("incCounter (proofHashCounter)", UInt64(a.proofHashCounter), r[Self.incCounterColumn])
    }

    /// Padding fast path (spec §11): at the padding self-loop (ROM line `pc`) with every
    /// register of row `row` (at `r`) zero, rows `row ..< N − 2` are identical; writes them at
    /// once, stages row N − 2 and returns N − 2 (nil when the fast path does not apply).
    func paddingEnd(row: Int, pc: Int, _ r: StorageRow) -> Int? {
        guard row < rowCount - 2 else { return nil }
        for c in DecodedROMLine.firstRegisterColumn ... Self.levelColumn where r[c] != 0 { return nil }
        guard r[Self.incCounterColumn] == 0 else { return nil }
        let end = rowCount - 2
        // The loop's row: its constant columns, pc, and 0 elsewhere (its free input and op0 are 0 before N − 2).
        let width = Self.width
        r.base.update(repeating: 0, count: width)
        (r.base + DecodedStorageROM.firstLineColumn).update(
            from: rom.lineColumns + pc * DecodedStorageROM.lineColumnCount, count: DecodedStorageROM.lineColumnCount)
        r[Self.pcColumn] = UInt64(pc)
        for k in row + 1 ..< end { (rows + k * width).update(from: r.base, count: width) }
        // Row N − 2: the same registers (all 0) and pc, its other columns written when it runs.
        let last = rows + end * width
        last.update(repeating: 0, count: width)
        last[Self.pcColumn] = UInt64(pc)
        return end
    }
}

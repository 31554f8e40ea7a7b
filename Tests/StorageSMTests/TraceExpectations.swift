import Testing
import StorageSM

/// Checks on a Storage trace shared by the executor tests.
enum TraceExpectations {
    static let setFlags: [StorageColumn] = [
        .setHashLeft, .setHashRight, .setOldRoot, .setNewRoot, .setValueLow, .setValueHigh,
        .setSiblingValueHash, .setRkey, .setSiblingRkey, .setRkeyBit, .setLevel,
    ]

    /// Every column of `row` is 0 except those listed.
    static func expectRow(_ trace: StorageTrace, _ row: Int, _ nonZero: [StorageColumn: UInt64],
                          sourceLocation: SourceLocation = #_sourceLocation) {
        for column in StorageColumn.allCases {
            let expected = nonZero[column] ?? 0
            #expect(trace[column, row] == expected, "row \(row) \(column.name)", sourceLocation: sourceLocation)
        }
    }

    /// The exact tail of spec §3.2 notes, from the row after the last latch (`start`, the line-0
    /// row; 0 when there were no actions). The line-0 row's registers are not checked when
    /// `lineZeroRegisters` is false (they hold the last action's values).
    static func expectTail(_ trace: StorageTrace, from start: Int, lineZeroRegisters: Bool,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let n = trace.rowCount
        var line0: [StorageColumn: UInt64] = [.pc: 0]
        for f in setFlags { line0[f] = 1 }
        if lineZeroRegisters {
            expectRow(trace, start, line0, sourceLocation: sourceLocation)
        } else {
            for (column, value) in line0 {
                #expect(trace[column, start] == value, "line-0 row \(column.name)", sourceLocation: sourceLocation)
            }
            #expect(trace[.incCounter, start] == 0, sourceLocation: sourceLocation)
        }
        expectRow(trace, start + 1, [.pc: 1, .inFree: 1, .jmpnz: 1, .jmpAddress: 19, .free0: 1, .op0inv: 1],
                  sourceLocation: sourceLocation)
        for (k, target) in [24, 169, 240, 279].enumerated() {
            expectRow(trace, start + 2 + k, [.pc: UInt64(19 + k), .inFree: 1, .jmpnz: 1, .jmpAddress: UInt64(target)],
                      sourceLocation: sourceLocation)
        }
        expectRow(trace, start + 6, [.pc: 23, .jmp: 1, .jmpAddress: 282], sourceLocation: sourceLocation)
        var line282: [StorageColumn: UInt64] = [.pc: 282]
        for f in setFlags { line282[f] = 1 }
        expectRow(trace, start + 7, line282, sourceLocation: sourceLocation)
        for row in start + 8 ..< n - 2 {
            expectRow(trace, row, [.pc: 283, .inFree: 1, .jmpz: 1, .jmpAddress: 283], sourceLocation: sourceLocation)
        }
        expectRow(trace, n - 2, [.pc: 283, .inFree: 1, .jmpz: 1, .jmpAddress: 283, .free0: 1, .op0inv: 1],
                  sourceLocation: sourceLocation)
        expectRow(trace, n - 1, [.pc: 284, .jmp: 1, .jmpAddress: 0], sourceLocation: sourceLocation)
    }
}

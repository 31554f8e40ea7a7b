import Goldilocks
import Poseidon
import SMT

/// Runs the storage ROM over a list of SMT actions and fills the 79 Storage columns
/// (spec storage-sm §3): one ROM line per row, actions consumed in order, each closed by a
/// latch row that is checked against it, then the padding loop up to row N − 1, which jumps
/// back to row 0.
public struct StorageExecutor: Sendable {
    /// The program.
    public let rom: StorageROM
    /// The `AssertFails` line: the `labels` entry, else the first unconditional self-jump.
    let assertFailsLine: Int?

    /// An executor for `rom`.
    public init(rom: StorageROM) {
        self.rom = rom
        assertFailsLine = rom.labels["AssertFails"]
            ?? rom.lines.indices.first { rom[$0].jmp && rom[$0].jmpAddress == $0 }
    }

    /// The trace of `actions` over `rowCount` rows (a positive multiple of 32).
    public func execute(_ actions: [SMTAction], rowCount: Int) throws(StorageExecutorError) -> StorageExecution {
        guard rowCount >= 32, rowCount % 32 == 0 else { throw .invalidRowCount(rowCount) }
        var run = try StorageRun(rom: rom, actions: actions, rowCount: rowCount)
        var row = 0
        while row < rowCount {
            let pc = Int(run.trace[.pc, row])
            guard pc < rom.count else { throw .pcOutOfRange(action: run.actionIndex, row: row, pc: pc) }
            if row == rowCount - 1 && run.actionIndex < actions.count {
                throw .outOfRows(action: run.actionIndex, latchedActions: run.actionIndex, rowCount: rowCount)
            }
            if pc == assertFailsLine { throw .assertFails(action: run.actionIndex, row: row) }
            if let end = run.paddingEnd(row: row, pc: pc) {
                row = end
                continue
            }
            let line = run.lines[pc]
            try run.step(row: row, line: line)
            row += 1
        }
        if run.actionIndex < actions.count {
            throw .outOfRows(action: run.actionIndex, latchedActions: run.actionIndex, rowCount: rowCount)
        }
        run.invertOp0()
        return run.execution
    }
}

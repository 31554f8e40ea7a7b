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
    /// The program decoded for the row loop.
    let decoded: DecodedStorageROM

    /// An executor for `rom`.
    public init(rom: StorageROM) {
        self.rom = rom
        assertFailsLine = rom.labels["AssertFails"]
            ?? rom.lines.indices.first { rom[$0].jmp && rom[$0].jmpAddress == $0 }
        decoded = DecodedStorageROM(rom)
    }

    /// The trace of `actions` over `rowCount` rows (a positive multiple of 32).
    public func execute(_ actions: [SMTAction], rowCount: Int) throws(StorageExecutorError) -> StorageExecution {
        guard rowCount >= 32, rowCount % 32 == 0 else { throw .invalidRowCount(rowCount) }
        var trace = StorageTrace(uninitializedRowCount: rowCount)
        let run = try trace.values.withUnsafeMutableBufferPointer { (values) throws(StorageExecutorError) -> StorageRun in
            try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: StorageColumn.count) {
                (wrapRow) throws(StorageExecutorError) -> StorageRun in
                var run = try StorageRun(rom: decoded, assertFailsLine: assertFailsLine, actions: actions, rowCount: rowCount,
                                         rows: values.baseAddress!, wrapRow: wrapRow.baseAddress!)
                try run.run()
                return run
            }
        }
        return run.execution(trace)
    }
}

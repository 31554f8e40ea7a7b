import Goldilocks

/// The committed columns of the three machines a Storage execution fills: Storage itself,
/// PoseidonG (its hash requests) and ClimbKey (its climb requests), all over the same N.
public struct StorageSMTraces: Sendable, Equatable {
    /// The Storage columns.
    public var storage: StorageTrace
    /// Storage rows up to and including the last latch (the rest is the padding loop).
    public var storageRowsUsed: Int
    /// The PoseidonG columns.
    public var poseidonG: MachineTrace<PoseidonGColumn>
    /// The ClimbKey columns.
    public var climbKey: MachineTrace<ClimbKeyColumn>

    /// N, the rows of every machine.
    public var rowCount: Int { storage.rowCount }
}

extension StorageExecution {
    /// Storage rows up to and including the last latch row (0 without actions).
    public var storageRowsUsed: Int { latchRows.last.map { $0 + 1 } ?? 0 }

    /// The PoseidonG trace of this execution's hash requests, over the Storage N.
    public func poseidonGTrace() throws(MachineTraceError) -> MachineTrace<PoseidonGColumn> {
        try PoseidonGTraceBuilder.trace(requests: poseidonRequests, rowCount: trace.rowCount, latchRows: latchRows)
    }

    /// The ClimbKey trace of this execution's climb requests, over the Storage N.
    public func climbKeyTrace() throws(MachineTraceError) -> MachineTrace<ClimbKeyColumn> {
        try ClimbKeyTraceBuilder.trace(requests: climbKeyRequests, rowCount: trace.rowCount, latchRows: latchRows)
    }

    /// All three traces.
    public func traces() throws(MachineTraceError) -> StorageSMTraces {
        StorageSMTraces(storage: trace, storageRowsUsed: storageRowsUsed,
                        poseidonG: try poseidonGTrace(), climbKey: try climbKeyTrace())
    }
}

/// Why the storage executor could not produce a trace (spec storage-sm §3). Every case names
/// the action (index into the action list) and, once rows run, the row.
public enum StorageExecutorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The row count is not a multiple of 32 of at least 32.
    case invalidRowCount(Int)
    /// An action is inconsistent before any row runs (its context cannot be built).
    case invalidAction(index: Int, field: String, reason: String)
    /// A free-input function cannot answer for the current action.
    case freeInput(action: Int, row: Int, function: StorageFreeInputFunction, reason: String)
    /// A climb would leave the field (2·K[z] + bit ≥ p) or its bit is not 0/1.
    case climb(action: Int, row: Int, register: String, reason: String)
    /// A latch row found no action, or an action of the other kind.
    case unexpectedLatch(action: Int, row: Int, reason: String)
    /// A latch row disagrees with its action (§3.6).
    case latchMismatch(action: Int, row: Int, field: String, expected: String, found: String)
    /// The ROM reached `AssertFails`: the action list is inconsistent.
    case assertFails(action: Int, row: Int)
    /// The program counter ran past the last ROM line.
    case pcOutOfRange(action: Int, row: Int, pc: Int)
    /// Not enough rows: `action` is not latched by row N − 11 (`latchedActions` were).
    case outOfRows(action: Int, latchedActions: Int, rowCount: Int)
    /// The last row does not lead back to row 0 (pc 0, every register 0).
    case traceDoesNotClose(column: StorageColumn, expected: UInt64, found: UInt64)

    public var description: String {
        switch self {
        case let .invalidRowCount(n): return "storage executor: row count \(n) must be a positive multiple of 32"
        case let .invalidAction(i, field, why): return "storage action \(i): \(field): \(why)"
        case let .freeInput(a, row, f, why): return "storage action \(a), row \(row): \(f.rawValue): \(why)"
        case let .climb(a, row, reg, why): return "storage action \(a), row \(row): climbing \(reg): \(why)"
        case let .unexpectedLatch(a, row, why): return "storage action \(a), row \(row): \(why)"
        case let .latchMismatch(a, row, field, expected, found):
            return "storage action \(a), latch row \(row): \(field) expected \(expected), found \(found)"
        case let .assertFails(a, row): return "storage action \(a), row \(row): the ROM reached AssertFails"
        case let .pcOutOfRange(a, row, pc): return "storage action \(a), row \(row): pc \(pc) outside the ROM"
        case let .outOfRows(a, latched, n):
            return "storage executor: out of rows at action \(a) (\(latched) latched, N = \(n); the last latch must be at a row ≤ N − 11)"
        case let .traceDoesNotClose(column, expected, found):
            return "storage executor: last row does not close the cycle: \(column.name) at row 0 would be \(found), must be \(expected)"
        }
    }
}

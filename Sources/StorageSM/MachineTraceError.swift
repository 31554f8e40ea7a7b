/// Why a secondary state machine's trace (PoseidonG, ClimbKey) could not be built from the
/// Storage requests. Every request case names the request (index in emission order), the
/// Storage row that emitted it and, when known, the action that row belongs to.
public enum MachineTraceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// N cannot hold the machine's cycle (PoseidonG: N ≥ 1; ClimbKey: a positive multiple of 4).
    case invalidRowCount(machine: String, rowCount: Int)
    /// Request `request` does not fit: the machine holds `capacity` requests in N rows.
    case outOfRows(machine: String, request: Int, action: Int?, storageRow: Int, capacity: Int, rowCount: Int)
    /// Request `request` is malformed in `field`.
    case invalidRequest(machine: String, request: Int, action: Int?, storageRow: Int, field: String, reason: String)

    public var description: String {
        func at(_ a: Int?, _ row: Int) -> String {
            a.map { "action \($0), storage row \(row)" } ?? "storage row \(row)"
        }
        switch self {
        case let .invalidRowCount(m, n):
            return "\(m) trace: row count \(n) cannot hold the machine's cycle"
        case let .outOfRows(m, req, a, row, cap, n):
            return "\(m) trace: out of rows at request \(req) (\(at(a, row))): N = \(n) holds \(cap) requests"
        case let .invalidRequest(m, req, a, row, field, why):
            return "\(m) trace: request \(req) (\(at(a, row))): \(field): \(why)"
        }
    }

    /// The action whose latch closes `storageRow`: the first latch at or after it.
    static func action(forStorageRow row: Int, latchRows: [Int]) -> Int? {
        latchRows.firstIndex { $0 >= row }
    }

    /// Throws ``outOfRows`` when a machine holding `capacity` requests gets more: the first
    /// request that does not fit is named, with the Storage row that emitted it.
    static func checkCapacity(machine: String, requestRows: [Int], capacity: Int, rowCount: Int,
                              latchRows: [Int]) throws(MachineTraceError) {
        guard requestRows.count > capacity else { return }
        let row = requestRows[capacity]
        throw .outOfRows(machine: machine, request: capacity,
                         action: action(forStorageRow: row, latchRows: latchRows),
                         storageRow: row, capacity: capacity, rowCount: rowCount)
    }
}

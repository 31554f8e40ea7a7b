/// Column values for N rows, by qualified column name (`Storage.free0`, `Global.CLK32[3]`).
/// Values must be canonical field elements (`< p`).
public struct ColumnData: Sendable {
    /// The number of rows (every column has this length).
    public let rowCount: Int
    /// The columns by qualified name.
    public private(set) var columns: [String: [UInt64]]

    /// Creates column data; every column must have `rowCount` values.
    public init(rowCount: Int, columns: [String: [UInt64]] = [:]) throws(PILError) {
        guard rowCount > 0 else { throw .emptyColumnData }
        self.rowCount = rowCount
        self.columns = [:]
        for (name, values) in columns { try set(name, values) }
    }

    /// Sets (or replaces) one column.
    public mutating func set(_ name: String, _ values: [UInt64]) throws(PILError) {
        guard values.count == rowCount else { throw .columnLength(name, expected: rowCount, found: values.count) }
        columns[name] = values
    }

    /// The values of `name`, if present.
    public subscript(name: String) -> [UInt64]? { columns[name] }
}

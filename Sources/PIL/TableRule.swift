/// A membership rule standing in for a constant plookup table, so that a checker need not
/// materialise it (spec storage-sm §7.2 suggests this for the ClimbKey table).
///
/// A plookup whose right side has no selector and is exactly `columns` (this row, in this order)
/// is checked by evaluating each selected left tuple and asking `contains`; the table columns need
/// not be present in the data.
public struct TableRule: Sendable {
    /// The qualified names of the table columns, in the order of the plookup's right side.
    public let columns: [String]
    /// Whether a tuple (one value per column) is a row of the table.
    public let contains: @Sendable ([UInt64]) -> Bool

    /// Creates a rule.
    public init(columns: [String], contains: @escaping @Sendable ([UInt64]) -> Bool) {
        self.columns = columns
        self.contains = contains
    }

    /// The complete ClimbKey table (T_CLKEYSEL … T_CARRYLT_OUT) by ``ClimbKeyTable/contains(_:)``:
    /// the table as it is for N ≥ 2^22, whatever N the data has.
    public static let climbKey = TableRule(columns: ClimbKeyTable.columnNames.map { "ClimbKey.\($0)" }) { tuple in
        tuple.count == 5
            && ClimbKeyTable.contains(ClimbKeyTable.Row(
                clkeySel: tuple[0], level: tuple[1], chunk: tuple[2], carryLtIn: tuple[3], carryLtOut: tuple[4]))
    }
}

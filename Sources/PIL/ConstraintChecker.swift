import Goldilocks

/// One violated constraint.
public enum ConstraintFailure: Sendable, Equatable, CustomStringConvertible {
    /// `lhs = rhs` does not hold on `row` (values of both sides there).
    case identity(location: SourceLocation, row: Int, lhs: UInt64, rhs: UInt64)
    /// A selector of a plookup or permutation is neither 0 nor 1 on `row`.
    case nonBinarySelector(location: SourceLocation, side: Side, row: Int, value: UInt64)
    /// The selected left tuple of `row` is not among the selected right tuples (plookup), or occurs
    /// more often on the left than on the right (permutation).
    case missingTuple(location: SourceLocation, row: Int, tuple: [UInt64])
    /// Permutation: the selected right tuple of `row` occurs more often on the right than on the left.
    case extraTuple(location: SourceLocation, row: Int, tuple: [UInt64])

    /// Which side of a tuple constraint.
    public enum Side: String, Sendable, Equatable {
        /// Before `in` / `is`.
        case left
        /// After `in` / `is`.
        case right
    }

    /// The constraint's source location.
    public var location: SourceLocation {
        switch self {
        case let .identity(at, _, _, _), let .nonBinarySelector(at, _, _, _), let .missingTuple(at, _, _),
            let .extraTuple(at, _, _):
            return at
        }
    }

    /// The row where it fails.
    public var row: Int {
        switch self {
        case let .identity(_, row, _, _), let .nonBinarySelector(_, _, row, _), let .missingTuple(_, row, _),
            let .extraTuple(_, row, _):
            return row
        }
    }

    /// One line: place, row and values.
    public var description: String {
        switch self {
        case let .identity(at, row, lhs, rhs):
            return "\(at): identity fails on row \(row): lhs \(lhs) != rhs \(rhs)"
        case let .nonBinarySelector(at, side, row, value):
            return "\(at): \(side.rawValue) selector is \(value) on row \(row), not 0 or 1"
        case let .missingTuple(at, row, tuple):
            return "\(at): tuple \(tuple) of row \(row) is missing on the right"
        case let .extraTuple(at, row, tuple):
            return "\(at): right tuple \(tuple) of row \(row) has no left counterpart"
        }
    }
}

/// Checks a ``Program``'s constraints on ``ColumnData``: every identity on every row (row N−1's
/// next row is row 0), every plookup as multiset inclusion and every permutation as multiset
/// equality of the selected tuples. It stops after `maxFailures` failures per constraint.
/// A plookup whose table matches one of `tableRules` is checked by that rule instead.
public struct ConstraintChecker: Sendable {
    /// The program checked.
    public let program: Program
    /// Failures kept per constraint.
    public let maxFailures: Int
    /// Membership rules replacing materialised plookup tables (see ``TableRule``).
    public let tableRules: [TableRule]

    /// Creates a checker.
    public init(program: Program, maxFailures: Int = 4, tableRules: [TableRule] = []) {
        self.program = program
        self.maxFailures = max(1, maxFailures)
        self.tableRules = tableRules
    }

    /// The rule standing in for `constraint`'s table: a plookup with no right selector whose
    /// right side is exactly the rule's columns on this row.
    func tableRule(for constraint: TupleConstraint) -> TableRule? {
        guard constraint.kind == .plookup, constraint.right.selector == nil else { return nil }
        var names: [String] = []
        for expression in constraint.right.expressions {
            guard case let .column(index, next: false) = expression else { return nil }
            names.append(program.columns[index].qualifiedName)
        }
        return tableRules.first { $0.columns == names }
    }

    /// All failures (empty when every constraint holds), in program order: identities, then
    /// plookups and permutations. Only constraints written in `namespaces` are checked (all when
    /// `nil`); the data needs only the columns those constraints use.
    public func check(_ data: ColumnData, namespaces: Set<String>? = nil) throws(PILError) -> [ConstraintFailure] {
        try run(data, namespaces: namespaces, identities: true, tuples: true)
    }

    /// Failures of the polynomial identities written in `namespaces` (all when `nil`).
    public func checkIdentities(_ data: ColumnData, namespaces: Set<String>? = nil) throws(PILError) -> [ConstraintFailure] {
        try run(data, namespaces: namespaces, identities: true, tuples: false)
    }

    /// Failures of the plookups and permutations written in `namespaces` (all when `nil`).
    public func checkTupleConstraints(_ data: ColumnData, namespaces: Set<String>? = nil) throws(PILError) -> [ConstraintFailure] {
        try run(data, namespaces: namespaces, identities: false, tuples: true)
    }
}

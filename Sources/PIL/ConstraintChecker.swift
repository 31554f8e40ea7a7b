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
        try checkIdentities(data, namespaces: namespaces) + checkTupleConstraints(data, namespaces: namespaces)
    }

    /// Failures of the polynomial identities written in `namespaces` (all when `nil`).
    public func checkIdentities(_ data: ColumnData, namespaces: Set<String>? = nil) throws(PILError) -> [ConstraintFailure] {
        let identities = program.identities.filter { namespaces?.contains($0.namespace) ?? true }
        var used = Set<Int>()
        for identity in identities {
            collectColumns(identity.lhs, into: &used)
            collectColumns(identity.rhs, into: &used)
        }
        let evaluator = try RowEvaluator(program: program, data: data, columns: used)
        var failures: [ConstraintFailure] = []
        for identity in identities {
            var found = 0
            for row in 0..<data.rowCount where found < maxFailures {
                let lhs = evaluator.evaluate(identity.lhs, row: row)
                let rhs = evaluator.evaluate(identity.rhs, row: row)
                if lhs != rhs {
                    failures.append(.identity(location: identity.location, row: row, lhs: lhs.value, rhs: rhs.value))
                    found += 1
                }
            }
        }
        return failures
    }

    /// Failures of the plookups and permutations written in `namespaces` (all when `nil`).
    public func checkTupleConstraints(_ data: ColumnData, namespaces: Set<String>? = nil) throws(PILError) -> [ConstraintFailure] {
        let tuples = program.tupleConstraints.filter { namespaces?.contains($0.namespace) ?? true }
        var used = Set<Int>()
        for constraint in tuples {
            let sides = tableRule(for: constraint) == nil ? [constraint.left, constraint.right] : [constraint.left]
            for side in sides {
                if let selector = side.selector { collectColumns(selector, into: &used) }
                for expression in side.expressions { collectColumns(expression, into: &used) }
            }
        }
        let evaluator = try RowEvaluator(program: program, data: data, columns: used)
        var failures: [ConstraintFailure] = []
        for constraint in tuples { failures += check(constraint, evaluator) }
        return failures
    }

    private func check(_ constraint: TupleConstraint, _ evaluator: RowEvaluator) -> [ConstraintFailure] {
        var failures: [ConstraintFailure] = []
        let left = selectedTuples(constraint.left, .left, constraint.location, evaluator, &failures)
        if let rule = tableRule(for: constraint) {
            for (row, tuple) in left where !rule.contains(tuple) {
                failures.append(.missingTuple(location: constraint.location, row: row, tuple: tuple))
                if failures.count >= maxFailures { break }
            }
            return failures
        }
        let right = selectedTuples(constraint.right, .right, constraint.location, evaluator, &failures)
        if !failures.isEmpty { return failures }
        var counts: [[UInt64]: Int] = [:]
        for (_, tuple) in right { counts[tuple, default: 0] += 1 }
        switch constraint.kind {
        case .plookup:
            for (row, tuple) in left where counts[tuple] == nil {
                failures.append(.missingTuple(location: constraint.location, row: row, tuple: tuple))
                if failures.count >= maxFailures { break }
            }
        case .permutation:
            for (row, tuple) in left {
                let remaining = counts[tuple, default: 0]
                if remaining == 0 {
                    failures.append(.missingTuple(location: constraint.location, row: row, tuple: tuple))
                    if failures.count >= maxFailures { return failures }
                } else {
                    counts[tuple] = remaining - 1
                }
            }
            // Whatever count is left over is an extra right tuple: report its last occurrences' rows.
            for (row, tuple) in right.reversed() where failures.count < maxFailures {
                if let remaining = counts[tuple], remaining > 0 {
                    failures.append(.extraTuple(location: constraint.location, row: row, tuple: tuple))
                    counts[tuple] = remaining - 1
                }
            }
        }
        return failures
    }

    /// The rows whose selector is 1 with their tuples; a selector neither 0 nor 1 is a failure.
    private func selectedTuples(
        _ side: ResolvedTuple, _ which: ConstraintFailure.Side, _ location: SourceLocation,
        _ evaluator: RowEvaluator, _ failures: inout [ConstraintFailure]
    ) -> [(Int, [UInt64])] {
        var result: [(Int, [UInt64])] = []
        for row in 0..<evaluator.rowCount {
            if let selector = side.selector {
                let value = evaluator.evaluate(selector, row: row)
                if value.isZero { continue }
                if value != .one {
                    if failures.count < maxFailures {
                        failures.append(.nonBinarySelector(location: location, side: which, row: row, value: value.value))
                    }
                    continue
                }
            }
            result.append((row, side.expressions.map { evaluator.evaluate($0, row: row).value }))
        }
        return result
    }

    private func collectColumns(_ expression: PolynomialExpression, into used: inout Set<Int>) {
        var visited = Set<Int>()
        var stack = [expression]
        while let next = stack.popLast() {
            next.visitReferences { column, intermediate in
                if let column { used.insert(column) }
                if let intermediate, visited.insert(intermediate).inserted {
                    stack.append(program.intermediates[intermediate].expression)
                }
            }
        }
    }
}

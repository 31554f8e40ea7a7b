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

    /// Failures of the polynomial identities written in `namespaces` (all when `nil`), found by
    /// evaluating the compiled identities (``BlockProgram``) a block of rows at a time.
    public func checkIdentities(_ data: ColumnData, namespaces: Set<String>? = nil) throws(PILError) -> [ConstraintFailure] {
        let identities = program.identities.filter { namespaces?.contains($0.namespace) ?? true }
        var compiler = BlockProgram(intermediates: program.intermediates.map(\.expression))
        let roots = identities.map { (compiler.compile($0.lhs), compiler.compile($0.rhs)) }
        let evaluator = try BlockEvaluator(program: compiler, columns: program, data: data)
        var perIdentity = [[ConstraintFailure]](repeating: [], count: identities.count)
        var start = 0
        while start < data.rowCount {
            evaluator.run(block: start)
            let rows = evaluator.rows(at: start)
            for (k, (lhs, rhs)) in roots.enumerated() where perIdentity[k].count < maxFailures {
                let a = evaluator.pointer(lhs), b = evaluator.pointer(rhs)
                for j in 0..<rows where a[j] != b[j] {
                    perIdentity[k].append(.identity(location: identities[k].location, row: start + j, lhs: a[j], rhs: b[j]))
                    if perIdentity[k].count >= maxFailures { break }
                }
            }
            start += BlockEvaluator.blockRows
        }
        return perIdentity.flatMap { $0 }
    }

    /// One side of a tuple constraint compiled: selector and expressions.
    private struct CompiledSide {
        var selector: BlockProgram.Operand?
        var expressions: [BlockProgram.Operand]
    }

    /// What the right-hand pass learns of one constraint.
    private struct RightSide {
        var table: TupleMultiset
        /// Permutations: every selected right row with its distinct tuple index, in row order.
        var occurrences: [(row: Int, index: Int)] = []
        var selectorFailures: [ConstraintFailure] = []
    }

    /// Failures of the plookups and permutations written in `namespaces` (all when `nil`): a
    /// first pass collects every right side into a ``TupleMultiset`` (or leaves it to a
    /// ``TableRule``), a second pass matches the left sides against them.
    public func checkTupleConstraints(_ data: ColumnData, namespaces: Set<String>? = nil) throws(PILError) -> [ConstraintFailure] {
        let tuples = program.tupleConstraints.filter { namespaces?.contains($0.namespace) ?? true }
        let rules = tuples.map { tableRule(for: $0) }
        let intermediates = program.intermediates.map(\.expression)
        func compile(_ side: ResolvedTuple, _ compiler: inout BlockProgram) -> CompiledSide {
            CompiledSide(selector: side.selector.map { compiler.compile($0) },
                         expressions: side.expressions.map { compiler.compile($0) })
        }

        // Pass 1: the right sides.
        var rightCompiler = BlockProgram(intermediates: intermediates)
        let rightSides = tuples.enumerated().map { k, c in rules[k] == nil ? compile(c.right, &rightCompiler) : nil }
        var right = tuples.map { RightSide(table: TupleMultiset(width: $0.right.expressions.count)) }
        let rightEvaluator = try BlockEvaluator(program: rightCompiler, columns: program, data: data)
        forEachSelectedTuple(rightEvaluator, rightSides, rowCount: data.rowCount) { k, row, selector, tuple in
            if let selector {
                if right[k].selectorFailures.count < maxFailures {
                    right[k].selectorFailures.append(
                        .nonBinarySelector(location: tuples[k].location, side: .right, row: row, value: selector))
                }
                return
            }
            let index = right[k].table.insert(tuple)
            if tuples[k].kind == .permutation { right[k].occurrences.append((row, index)) }
        }

        // Pass 2: the left sides against them.
        var leftCompiler = BlockProgram(intermediates: intermediates)
        let leftSides = tuples.map { Optional(compile($0.left, &leftCompiler)) }
        let leftEvaluator = try BlockEvaluator(program: leftCompiler, columns: program, data: data)
        var selectorFailures = [[ConstraintFailure]](repeating: [], count: tuples.count)
        var missing = [[ConstraintFailure]](repeating: [], count: tuples.count)
        var scratch = [UInt64]()
        forEachSelectedTuple(leftEvaluator, leftSides, rowCount: data.rowCount) { k, row, selector, tuple in
            let location = tuples[k].location
            if let selector {
                if selectorFailures[k].count + right[k].selectorFailures.count < maxFailures {
                    selectorFailures[k].append(.nonBinarySelector(location: location, side: .left, row: row, value: selector))
                }
                return
            }
            guard missing[k].count < maxFailures else { return }
            if let rule = rules[k] {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: tuple)
                if !rule.contains(scratch) { missing[k].append(.missingTuple(location: location, row: row, tuple: scratch)) }
                return
            }
            let index = right[k].table.index(of: tuple)
            switch tuples[k].kind {
            case .plookup:
                if index == nil { missing[k].append(.missingTuple(location: location, row: row, tuple: Array(tuple))) }
            case .permutation:
                if let index, right[k].table.counts[index] > 0 {
                    right[k].table.adjust(index, by: -1)
                } else {
                    missing[k].append(.missingTuple(location: location, row: row, tuple: Array(tuple)))
                }
            }
        }

        var failures: [ConstraintFailure] = []
        for k in tuples.indices {
            if rules[k] != nil {
                failures += (selectorFailures[k] + missing[k]).prefix(maxFailures)
                continue
            }
            let selectors = selectorFailures[k] + right[k].selectorFailures
            if !selectors.isEmpty {
                failures += selectors.prefix(maxFailures)
                continue
            }
            failures += missing[k]
            guard tuples[k].kind == .permutation, missing[k].count < maxFailures else { continue }
            // Whatever count is left over is an extra right tuple: report its last occurrences' rows.
            var extras = 0
            for (row, index) in right[k].occurrences.reversed() where missing[k].count + extras < maxFailures {
                guard right[k].table.counts[index] > 0 else { continue }
                right[k].table.adjust(index, by: -1)
                failures.append(.extraTuple(location: tuples[k].location, row: row,
                                            tuple: Array(right[k].table.tuple(index))))
                extras += 1
            }
        }
        return failures
    }

    /// Calls `body(constraint, row, nonBinarySelector, tuple)` for every row whose selector is
    /// not 0 (`nonBinarySelector` is the selector's value when it is not 1, and the tuple is then
    /// empty), block by block in row order; sides that are nil are skipped.
    private func forEachSelectedTuple(
        _ evaluator: BlockEvaluator, _ sides: [CompiledSide?], rowCount: Int,
        _ body: (Int, Int, UInt64?, UnsafeBufferPointer<UInt64>) -> Void
    ) {
        let width = sides.map { $0?.expressions.count ?? 0 }.max() ?? 0
        let tuple = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, width))
        defer { tuple.deallocate() }
        var expressionPointers: [UnsafePointer<UInt64>] = []
        var start = 0
        while start < rowCount {
            evaluator.run(block: start)
            let rows = evaluator.rows(at: start)
            for (k, side) in sides.enumerated() {
                guard let side else { continue }
                let selector = side.selector.map { evaluator.pointer($0) }
                expressionPointers.removeAll(keepingCapacity: true)
                for e in side.expressions { expressionPointers.append(evaluator.pointer(e)) }
                let w = side.expressions.count
                for j in 0..<rows {
                    if let selector {
                        let s = selector[j]
                        if s == 0 { continue }
                        if s != 1 {
                            body(k, start + j, s, UnsafeBufferPointer(start: tuple, count: 0))
                            continue
                        }
                    }
                    for e in 0..<w { tuple[e] = expressionPointers[e][j] }
                    body(k, start + j, nil, UnsafeBufferPointer(start: tuple, count: w))
                }
            }
            start += BlockEvaluator.blockRows
        }
    }
}

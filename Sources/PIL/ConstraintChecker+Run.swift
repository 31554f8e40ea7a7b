/// How ``ConstraintChecker`` evaluates: per namespace, the constraints are compiled into
/// ``BlockProgram``s and run a block of rows at a time. Pass 1 collects the right sides of the
/// plookups and permutations into ``TupleMultiset``s (their columns only: cheap); pass 2 runs one
/// program holding the identities and the left sides, so the intermediates both use (op0 … op3 of
/// storage.pil) are computed once per row.
extension ConstraintChecker {
    /// One side of a tuple constraint compiled: selector and expressions.
    struct CompiledSide {
        var selector: BlockProgram.Operand?
        var expressions: [BlockProgram.Operand]
    }

    /// What the right-hand pass learns of one constraint.
    struct RightSide {
        var table: TupleMultiset
        /// Permutations: every selected right row with its distinct tuple index, in row order.
        var occurrences: [(row: Int, index: Int)] = []
        var selectorFailures: [ConstraintFailure] = []
    }

    /// Failures of the selected constraints, identities first, each group in program order.
    func run(_ data: ColumnData, namespaces: Set<String>?, identities: Bool, tuples: Bool) throws(PILError) -> [ConstraintFailure] {
        let identityIndices = identities
            ? program.identities.indices.filter { namespaces?.contains(program.identities[$0].namespace) ?? true } : []
        let tupleIndices = tuples
            ? program.tupleConstraints.indices.filter { namespaces?.contains(program.tupleConstraints[$0].namespace) ?? true } : []
        var order: [String] = []
        for i in identityIndices where !order.contains(program.identities[i].namespace) { order.append(program.identities[i].namespace) }
        for t in tupleIndices where !order.contains(program.tupleConstraints[t].namespace) {
            order.append(program.tupleConstraints[t].namespace)
        }
        var identityFailures: [Int: [ConstraintFailure]] = [:]
        var tupleFailures: [Int: [ConstraintFailure]] = [:]
        var validated = Set<Int>()
        for namespace in order {
            try run(data, validated: &validated,
                    identities: identityIndices.filter { program.identities[$0].namespace == namespace },
                    tuples: tupleIndices.filter { program.tupleConstraints[$0].namespace == namespace },
                    identityFailures: &identityFailures, tupleFailures: &tupleFailures)
        }
        return identityIndices.flatMap { identityFailures[$0] ?? [] } + tupleIndices.flatMap { tupleFailures[$0] ?? [] }
    }

    /// Checks the identities and tuple constraints at the given indices (one namespace's);
    /// `validated` holds the columns already checked for canonicity.
    private func run(
        _ data: ColumnData, validated: inout Set<Int>, identities identityIndices: [Int], tuples tupleIndices: [Int],
        identityFailures: inout [Int: [ConstraintFailure]], tupleFailures: inout [Int: [ConstraintFailure]]
    ) throws(PILError) {
        let identities = identityIndices.map { program.identities[$0] }
        let tuples = tupleIndices.map { program.tupleConstraints[$0] }
        let rules = tuples.map { tableRule(for: $0) }
        let intermediates = program.intermediates.map(\.expression)
        func compile(_ side: ResolvedTuple, _ compiler: inout BlockProgram) -> CompiledSide {
            CompiledSide(selector: side.selector.map { compiler.compile($0) },
                         expressions: side.expressions.map { compiler.compile($0) })
        }

        // Pass 1: the right sides.
        var right = tuples.map { RightSide(table: TupleMultiset(width: $0.right.expressions.count)) }
        if rules.contains(where: { $0 == nil }) {
            var rightCompiler = BlockProgram(intermediates: intermediates)
            let rightSides = tuples.enumerated().map { k, c in rules[k] == nil ? compile(c.right, &rightCompiler) : nil }
            let rightEvaluator = try BlockEvaluator(program: rightCompiler, columns: program, data: data, validated: &validated)
            var start = 0
            while start < data.rowCount {
                rightEvaluator.run(block: start)
                forEachSelectedTuple(rightEvaluator, rightSides, start: start) { k, row, selector, tuple in
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
                start += BlockEvaluator.blockRows
            }
        }

        // Pass 2: identities and left sides.
        var compiler = BlockProgram(intermediates: intermediates)
        let roots = identities.map { (compiler.compile($0.lhs), compiler.compile($0.rhs)) }
        let leftSides = tuples.map { Optional(compile($0.left, &compiler)) }
        let evaluator = try BlockEvaluator(program: compiler, columns: program, data: data, validated: &validated)
        var perIdentity = [[ConstraintFailure]](repeating: [], count: identities.count)
        var selectorFailures = [[ConstraintFailure]](repeating: [], count: tuples.count)
        var missing = [[ConstraintFailure]](repeating: [], count: tuples.count)
        var scratch = [UInt64]()
        var start = 0
        while start < data.rowCount {
            evaluator.run(block: start)
            let rows = evaluator.rows(at: start)
            for (k, (lhs, rhs)) in roots.enumerated() where perIdentity[k].count < maxFailures {
                let a = evaluator.pointer(lhs), b = evaluator.pointer(rhs)
                var differences: UInt64 = 0
                for j in 0..<rows { differences |= a[j] ^ b[j] }
                if differences == 0 { continue }
                for j in 0..<rows where a[j] != b[j] {
                    perIdentity[k].append(.identity(location: identities[k].location, row: start + j, lhs: a[j], rhs: b[j]))
                    if perIdentity[k].count >= maxFailures { break }
                }
            }
            forEachSelectedTuple(evaluator, leftSides, start: start) { k, row, selector, tuple in
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
            start += BlockEvaluator.blockRows
        }
        for (k, i) in identityIndices.enumerated() { identityFailures[i] = perIdentity[k] }

        for (k, t) in tupleIndices.enumerated() {
            var failures: [ConstraintFailure] = []
            defer { tupleFailures[t] = failures }
            if rules[k] != nil {
                failures = Array((selectorFailures[k] + missing[k]).prefix(maxFailures))
                continue
            }
            let selectors = selectorFailures[k] + right[k].selectorFailures
            if !selectors.isEmpty {
                failures = Array(selectors.prefix(maxFailures))
                continue
            }
            failures = missing[k]
            guard tuples[k].kind == .permutation, missing[k].count < maxFailures else { continue }
            // Whatever count is left over is an extra right tuple: report its last occurrences' rows.
            for (row, index) in right[k].occurrences.reversed() where failures.count < maxFailures {
                guard right[k].table.counts[index] > 0 else { continue }
                right[k].table.adjust(index, by: -1)
                failures.append(.extraTuple(location: tuples[k].location, row: row, tuple: Array(right[k].table.tuple(index))))
            }
        }
    }

    /// Calls `body(constraint, row, nonBinarySelector, tuple)` for every row of the evaluated
    /// block at `start` whose selector is not 0 (`nonBinarySelector` is the selector's value
    /// when it is not 1, and the tuple is then empty); sides that are nil are skipped.
    private func forEachSelectedTuple(
        _ evaluator: BlockEvaluator, _ sides: [CompiledSide?], start: Int,
        _ body: (Int, Int, UInt64?, UnsafeBufferPointer<UInt64>) -> Void
    ) {
        let width = sides.map { $0?.expressions.count ?? 0 }.max() ?? 0
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(1, width)) { tuple in
            withUnsafeTemporaryAllocation(of: UnsafePointer<UInt64>.self, capacity: max(1, width)) { pointers in
                let rows = evaluator.rows(at: start)
                for (k, side) in sides.enumerated() {
                    guard let side else { continue }
                    let selector = side.selector.map { evaluator.pointer($0) }
                    let w = side.expressions.count
                    for (e, operand) in side.expressions.enumerated() { pointers[e] = evaluator.pointer(operand) }
                    for j in 0..<rows {
                        if let selector {
                            let s = selector[j]
                            if s == 0 { continue }
                            if s != 1 {
                                body(k, start + j, s, UnsafeBufferPointer(start: tuple.baseAddress, count: 0))
                                continue
                            }
                        }
                        for e in 0..<w { tuple[e] = pointers[e][j] }
                        body(k, start + j, nil, UnsafeBufferPointer(start: tuple.baseAddress, count: w))
                    }
                }
            }
        }
    }
}

import Goldilocks

/// Builds a ``Program`` in two passes: declarations (so constraints may name polynomials
/// declared later in the file), then resolution of every expression.
struct ProgramBuilder {
    var program = Program()
    private var arraySizes: [String: Int] = [:]
    private var intermediateIndex: [String: Int] = [:]
    private var namespaceIndex: [String: Int] = [:]
    private var declared: [String: SourceLocation] = [:]
    private var pendingDefinitions: [(index: Int, namespace: String, value: Expression)] = []
    private var pending: [(namespace: String, statement: Statement)] = []

    mutating func build(_ statements: [Statement]) throws(PILError) {
        var current: String?
        for statement in statements {
            switch statement {
            case .include:
                continue  // expanded by SourceLoader
            case let .constantDefinition(name, value, _):
                program.constants[name] = try constantValue(value, what: "constant %\(name)")
            case let .namespace(name, size, at):
                let value = try constantValue(size, what: "namespace size").value
                if namespaceIndex[name] == nil {
                    namespaceIndex[name] = program.namespaces.count
                    program.namespaces.append(Namespace(name: name, size: value, committed: [], constants: [], location: at))
                }
                current = name
            case let .declaration(kind, declarators, at):
                guard let namespace = current else { throw .outsideNamespace(at: at) }
                for declarator in declarators { try declare(declarator, kind: kind, namespace: namespace) }
            case let .definition(name, value, at):
                guard let namespace = current else { throw .outsideNamespace(at: at) }
                let qualified = "\(namespace).\(name)"
                try claim(qualified, at: at)
                intermediateIndex[qualified] = program.intermediates.count
                pendingDefinitions.append((program.intermediates.count, namespace, value))
                program.intermediates.append(Intermediate(qualifiedName: qualified, expression: .constant(.zero), location: at))
            case let .identity(_, _, at), let .tuple(_, _, _, at), let .publicValue(_, _, _, at):
                guard let namespace = current else { throw .outsideNamespace(at: at) }
                pending.append((namespace, statement))
            }
        }
        for definition in pendingDefinitions {
            program.intermediates[definition.index].expression = try resolve(definition.value, in: definition.namespace)
        }
        try checkAcyclic()
        for (namespace, statement) in pending { try resolveConstraint(statement, in: namespace) }
    }

    private mutating func claim(_ qualified: String, at: SourceLocation) throws(PILError) {
        if let first = declared[qualified] { throw .duplicateDefinition(qualified, at: at, first: first) }
        declared[qualified] = at
    }

    private mutating func declare(_ declarator: PolynomialDeclarator, kind: ColumnKind, namespace: String) throws(PILError) {
        let qualified = "\(namespace).\(declarator.name)"
        try claim(qualified, at: declarator.location)
        var names = [declarator.name]
        if let sizeExpression = declarator.arraySize {
            let size = try constantValue(sizeExpression, what: "array size").value
            guard size > 0, size <= 1 << 20 else {
                throw .badIndex("array size \(size) of \(qualified) out of range", at: declarator.location)
            }
            arraySizes[qualified] = Int(size)
            names = (0..<Int(size)).map { "\(declarator.name)[\($0)]" }
        }
        guard let nsIndex = namespaceIndex[namespace] else { throw .outsideNamespace(at: declarator.location) }
        for name in names {
            program.columnIndex["\(namespace).\(name)"] = program.columns.count
            program.columns.append(Column(qualifiedName: "\(namespace).\(name)", namespace: namespace, kind: kind, location: declarator.location))
            switch kind {
            case .committed: program.namespaces[nsIndex].committed.append(name)
            case .constant: program.namespaces[nsIndex].constants.append(name)
            }
        }
    }

    private mutating func resolveConstraint(_ statement: Statement, in namespace: String) throws(PILError) {
        switch statement {
        case let .identity(lhs, rhs, at):
            program.identities.append(Identity(
                namespace: namespace, lhs: try resolve(lhs, in: namespace), rhs: try resolve(rhs, in: namespace), location: at))
        case let .tuple(kind, left, right, at):
            guard left.expressions.count == right.expressions.count else {
                throw .tupleLengthMismatch(left: left.expressions.count, right: right.expressions.count, at: at)
            }
            program.tupleConstraints.append(TupleConstraint(
                kind: kind, namespace: namespace,
                left: try resolve(left, in: namespace), right: try resolve(right, in: namespace), location: at))
        case let .publicValue(name, polynomial, row, at):
            guard case let .column(column, false) = try resolve(.reference(polynomial), in: namespace) else {
                throw .undefinedReference("\(polynomial.name) (a public needs a column on this row)", at: at)
            }
            program.publics.append(PublicValue(
                name: name, column: column, row: try constantValue(row, what: "public row").value, location: at))
        default:
            break
        }
    }

    private func resolve(_ tuple: SelectedTuple, in namespace: String) throws(PILError) -> ResolvedTuple {
        var expressions: [PolynomialExpression] = []
        for expression in tuple.expressions { expressions.append(try resolve(expression, in: namespace)) }
        return ResolvedTuple(selector: try tuple.selector.map { e throws(PILError) in try resolve(e, in: namespace) }, expressions: expressions)
    }

    /// Resolves names and folds constants.
    private func resolve(_ expression: Expression, in namespace: String) throws(PILError) -> PolynomialExpression {
        switch expression {
        case let .number(value, _):
            return .constant(FieldElement(reducing: value))
        case let .constant(name, at):
            guard let value = program.constants[name] else { throw .undefinedConstant(name, at: at) }
            return .constant(value)
        case let .reference(reference):
            return try resolve(reference, in: namespace)
        case let .negate(inner, _):
            let value = try resolve(inner, in: namespace)
            if case let .constant(c) = value { return .constant(-c) }
            return .negate(value)
        case let .binary(op, lhs, rhs, _):
            let a = try resolve(lhs, in: namespace)
            if op == .power {
                let exponent = try constantValue(rhs, what: "exponent").value
                if case let .constant(c) = a { return .constant(c.power(exponent)) }
                return .power(a, exponent)
            }
            let b = try resolve(rhs, in: namespace)
            if case let .constant(x) = a, case let .constant(y) = b {
                switch op {
                case .add: return .constant(x + y)
                case .subtract: return .constant(x - y)
                case .multiply: return .constant(x * y)
                case .power: break
                }
            }
            switch op {
            case .add: return .add(a, b)
            case .subtract: return .subtract(a, b)
            case .multiply, .power: return .multiply(a, b)
            }
        }
    }

    private func resolve(_ reference: PolynomialReference, in namespace: String) throws(PILError) -> PolynomialExpression {
        let qualified = reference.name.contains(".") ? reference.name : "\(namespace).\(reference.name)"
        if let indexExpression = reference.index {
            let index = try constantValue(indexExpression, what: "array index").value
            guard let size = arraySizes[qualified] else {
                if declared[qualified] == nil {
                    throw .undefinedReference("\(qualified)[\(index)]", at: reference.location)
                }
                throw .badIndex("\(qualified) is not an array", at: reference.location)
            }
            guard index < UInt64(size), let column = program.columnIndex["\(qualified)[\(index)]"] else {
                throw .badIndex("index \(index) out of range for \(qualified)[\(size)]", at: reference.location)
            }
            return .column(column, next: reference.isNext)
        }
        if let column = program.columnIndex[qualified] { return .column(column, next: reference.isNext) }
        if let intermediate = intermediateIndex[qualified] { return .intermediate(intermediate, next: reference.isNext) }
        if arraySizes[qualified] != nil {
            throw .badIndex("array \(qualified) used without an index", at: reference.location)
        }
        throw .undefinedReference(qualified, at: reference.location)
    }

    /// The value of an expression that may use only numbers, `%NAME`s and operators.
    private func constantValue(_ expression: Expression, what: String) throws(PILError) -> FieldElement {
        switch expression {
        case let .number(value, _): return FieldElement(reducing: value)
        case let .constant(name, at):
            guard let value = program.constants[name] else { throw .undefinedConstant(name, at: at) }
            return value
        case let .reference(reference): throw .notConstant(what: what, at: reference.location)
        case let .negate(inner, _): return -(try constantValue(inner, what: what))
        case let .binary(op, lhs, rhs, _):
            let a = try constantValue(lhs, what: what)
            let b = try constantValue(rhs, what: what)
            switch op {
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            case .power: return a.power(b.value)
            }
        }
    }

    /// Rejects intermediates whose definitions refer back to themselves.
    private func checkAcyclic() throws(PILError) {
        var state = [UInt8](repeating: 0, count: program.intermediates.count)  // 0 new, 1 active, 2 done
        func visit(_ index: Int) throws(PILError) {
            if state[index] == 2 { return }
            let item = program.intermediates[index]
            if state[index] == 1 { throw .cyclicDefinition(item.qualifiedName, at: item.location) }
            state[index] = 1
            var dependencies: [Int] = []
            item.expression.visitReferences { _, intermediate in if let intermediate { dependencies.append(intermediate) } }
            for dependency in dependencies { try visit(dependency) }
            state[index] = 2
        }
        for index in program.intermediates.indices { try visit(index) }
    }
}

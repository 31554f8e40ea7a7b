import Goldilocks

/// Resolved expressions compiled into a flat register program that evaluates a block of rows at
/// a time: every instruction runs one tight loop over the block, and every intermediate
/// polynomial is computed once per block however often it is used (the tree form re-evaluates
/// it at every use, e.g. `x7 = x6 * a` in poseidong.pil re-walks `x6`, `x4`, `x2`).
///
/// Registers hold `window` values for rows `start ..< start + window`; an operand may read a
/// register or a column shifted by `k` rows (`x'` is a shift of 1), so a block of `B` rows is
/// computed over `window = B + maxShift` rows and only its first `B` results are used.
struct BlockProgram {
    /// Where an instruction reads a value from.
    enum Source: Hashable {
        /// A register.
        case register(Int)
        /// A data column (index into the program's columns).
        case column(Int)
    }

    /// An input of an instruction: a source read `shift` rows further down.
    struct Operand: Hashable {
        var source: Source
        var shift: Int
    }

    /// The operation of one instruction.
    enum Operation: Hashable {
        case add, subtract, multiply, negate
        case power(UInt64)
        /// `Σ coefficient_k · term_k` with coefficients below 2^32 (index into ``BlockProgram/linearCombinations``):
        /// summed exactly in 128 bits and reduced once.
        case linear(Int)
        /// `a · (b − c) + c`: the PIL's "register' = set · (value − register) + register", a choice
        /// between `b` and `c` when `a` is 0 or 1.
        case select
    }

    /// A sum of small multiples: `(coefficient, operand)` terms.
    typealias LinearCombination = [(coefficient: UInt64, operand: Operand)]

    /// `out = a op b` (or `op(a, b, c)`) over the window.
    struct Instruction {
        var operation: Operation
        var a: Operand
        var b: Operand
        /// The third operand of `.select` (`a` for the others).
        var c: Operand
        var out: Int
    }

    /// Constant registers and their values (filled once).
    private(set) var constants: [(register: Int, value: FieldElement)] = []
    /// The instructions in dependency order.
    private(set) var instructions: [Instruction] = []
    /// The terms of the `.linear` instructions.
    private(set) var linearCombinations: [LinearCombination] = []
    /// Registers in use.
    private(set) var registerCount = 0
    /// Columns read, in first-use order.
    private(set) var columns: [Int] = []
    /// The largest total row shift of any compiled root.
    private(set) var maxShift = 0

    private let intermediates: [PolynomialExpression]
    /// Compiled intermediates: (operand at shift 0, the deepest shift inside it).
    private var intermediateOperands: [Int: (Operand, Int)] = [:]
    private var constantRegisters: [UInt64: Int] = [:]
    /// An emitted instruction's operation and operands (commutative operands in a fixed order).
    private struct EmittedKey: Hashable {
        var operation: Operation
        var a: Operand
        var b: Operand
        var c: Operand
    }
    /// Where each emitted instruction's result is.
    private var emitted: [EmittedKey: Int] = [:]
    private var columnSet = Set<Int>()

    init(intermediates: [PolynomialExpression]) {
        self.intermediates = intermediates
    }

    /// Compiles `expression` and returns where its value lives (at shift 0).
    mutating func compile(_ expression: PolynomialExpression) -> Operand {
        let (operand, depth) = compileNode(expression)
        maxShift = max(maxShift, depth)
        return operand
    }

    private mutating func newRegister() -> Int {
        registerCount += 1
        return registerCount - 1
    }

    private mutating func constant(_ value: FieldElement) -> Operand {
        if let r = constantRegisters[value.value] { return Operand(source: .register(r), shift: 0) }
        let r = newRegister()
        constantRegisters[value.value] = r
        constants.append((r, value))
        return Operand(source: .register(r), shift: 0)
    }

    private static func shifted(_ o: Operand, by k: Int) -> Operand {
        Operand(source: o.source, shift: o.shift + k)
    }

    /// The operand and the largest shift it reads below row 0 of its window.
    private mutating func compileNode(_ expression: PolynomialExpression) -> (Operand, Int) {
        switch expression {
        case let .constant(value):
            return (constant(value), 0)
        case let .column(index, next):
            if columnSet.insert(index).inserted { columns.append(index) }
            let k = next ? 1 : 0
            return (Operand(source: .column(index), shift: k), k)
        case let .intermediate(index, next):
            let compiled: (Operand, Int)
            if let known = intermediateOperands[index] {
                compiled = known
            } else {
                compiled = compileNode(intermediates[index])
                intermediateOperands[index] = compiled
            }
            let k = next ? 1 : 0
            return (Self.shifted(compiled.0, by: k), compiled.1 + k)
        case let .add(a, b):
            if let (selector, chosen, kept) = Self.selection(a, b) ?? Self.selection(b, a) {
                let (s, ds) = compileNode(selector)
                let (x, dx) = compileNode(chosen)
                let (y, dy) = compileNode(kept)
                return (emit(.select, s, x, y), max(ds, dx, dy))
            }
            var terms: [(UInt64, PolynomialExpression)] = []
            Self.flattenSum(expression, into: &terms)
            guard terms.count >= 3 else { return binary(.add, a, b) }
            var combination: LinearCombination = []
            var depth = 0
            for (coefficient, term) in terms {
                let (operand, d) = compileNode(term)
                combination.append((coefficient, operand))
                depth = max(depth, d)
            }
            linearCombinations.append(combination)
            let index = linearCombinations.count - 1
            return (emit(.linear(index), combination[0].operand, combination[0].operand), depth)
        case let .subtract(a, b):
            return binary(.subtract, a, b)
        case let .multiply(a, b):
            return binary(.multiply, a, b)
        case let .negate(a):
            let (x, d) = compileNode(a)
            return (emit(.negate, x, x), d)
        case let .power(a, exponent):
            let (x, d) = compileNode(a)
            return (emit(.power(exponent), x, x), d)
        }
    }

    /// `(s, b, c)` when `product + addend` is `s · (b − c) + c` (in either factor order).
    static func selection(_ product: PolynomialExpression, _ addend: PolynomialExpression)
        -> (PolynomialExpression, PolynomialExpression, PolynomialExpression)? {
        guard case let .multiply(x, y) = product else { return nil }
        if case let .subtract(b, c) = y, c == addend { return (x, b, c) }
        if case let .subtract(b, c) = x, c == addend { return (y, b, c) }
        return nil
    }

    /// The terms of a sum of `c · e` and `e` (c a constant below 2^32), following `+` only.
    static func flattenSum(_ expression: PolynomialExpression, into terms: inout [(UInt64, PolynomialExpression)]) {
        switch expression {
        case let .add(a, b):
            flattenSum(a, into: &terms)
            flattenSum(b, into: &terms)
        case let .multiply(.constant(c), e) where c.value < 1 << 32,
             let .multiply(e, .constant(c)) where c.value < 1 << 32:
            terms.append((c.value, e))
        default:
            terms.append((1, expression))
        }
    }

    private mutating func binary(_ operation: Operation, _ a: PolynomialExpression, _ b: PolynomialExpression) -> (Operand, Int) {
        let (x, dx) = compileNode(a)
        let (y, dy) = compileNode(b)
        return (emit(operation, x, y), max(dx, dy))
    }

    private mutating func emit(_ operation: Operation, _ a: Operand, _ b: Operand, _ c: Operand? = nil) -> Operand {
        let c = c ?? a
        // The same operation on the same operands is computed once (registers are written once).
        var key = EmittedKey(operation: operation, a: a, b: b, c: c)
        switch operation {
        case .add, .multiply:
            if Self.order(b) < Self.order(a) { (key.a, key.b) = (b, a) }
        case .linear:
            return Operand(source: .register(append(operation, a, b, c)), shift: 0)
        default:
            break
        }
        if let out = emitted[key] { return Operand(source: .register(out), shift: 0) }
        let out = append(operation, a, b, c)
        emitted[key] = out
        return Operand(source: .register(out), shift: 0)
    }

    /// A total order on operands (registers before columns, then index, then shift).
    private static func order(_ o: Operand) -> (Int, Int, Int) {
        switch o.source {
        case let .register(r): return (0, r, o.shift)
        case let .column(c): return (1, c, o.shift)
        }
    }

    private mutating func append(_ operation: Operation, _ a: Operand, _ b: Operand, _ c: Operand) -> Int {
        let out = newRegister()
        instructions.append(Instruction(operation: operation, a: a, b: b, c: c, out: out))
        return out
    }
}

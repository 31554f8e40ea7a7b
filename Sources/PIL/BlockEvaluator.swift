import Goldilocks

/// Runs a ``BlockProgram`` over column data, `blockRows` rows at a time: row N−1's next row is
/// row 0 (the last block reads its columns through a wrapped copy). Registers and the wrapped
/// copies are allocated once; evaluating a block allocates nothing.
final class BlockEvaluator {
    /// Rows per block.
    static let blockRows = 64

    let program: BlockProgram
    let rowCount: Int
    /// Rows computed per block: `blockRows + maxShift`.
    let window: Int
    /// Values per register buffer: `window + maxShift`.
    let stride: Int
    private let registers: UnsafeMutablePointer<UInt64>
    /// The data columns by program column index (only the used ones are set).
    private let data: [Int: [UInt64]]
    /// Per column index: where the current block's row 0 is (set for the used columns).
    private var columnBase: [UnsafePointer<UInt64>]
    /// Scratch 128-bit accumulators of the `.linear` instructions.
    private let high: UnsafeMutablePointer<UInt64>
    private let low: UnsafeMutablePointer<UInt64>
    /// Wrapped copies for the last blocks.
    private let wrapped: UnsafeMutablePointer<UInt64>
    private var wrappedSlot: [Int: Int] = [:]
    /// Start of the current block.
    private(set) var start = 0

    /// Loads the program's columns from `data` (checking presence and canonicity).
    init(program: BlockProgram, columns: Program, data: ColumnData) throws(PILError) {
        self.program = program
        rowCount = data.rowCount
        window = Self.blockRows + program.maxShift
        stride = window + program.maxShift
        var loaded: [Int: [UInt64]] = [:]
        for index in program.columns {
            let name = columns.columns[index].qualifiedName
            guard let column = data[name] else { throw .missingColumn(name) }
            if let row = column.firstIndex(where: { $0 >= FieldElement.order }) {
                throw .nonCanonicalValue(column: name, row: row, value: column[row])
            }
            loaded[index] = column
        }
        self.data = loaded
        columnBase = [UnsafePointer<UInt64>](repeating: UnsafePointer(bitPattern: 8)!, count: (program.columns.max() ?? 0) + 1)
        registers = .allocate(capacity: max(1, program.registerCount) * stride)
        registers.initialize(repeating: 0, count: max(1, program.registerCount) * stride)
        for (r, value) in program.constants {
            (registers + r * stride).update(repeating: value.value, count: stride)
        }
        high = .allocate(capacity: stride)
        low = .allocate(capacity: stride)
        wrapped = .allocate(capacity: max(1, program.columns.count) * stride)
        wrapped.initialize(repeating: 0, count: max(1, program.columns.count) * stride)
        for (slot, index) in program.columns.enumerated() { wrappedSlot[index] = slot }
    }

    deinit {
        registers.deallocate()
        wrapped.deallocate()
        high.deallocate()
        low.deallocate()
    }

    /// Rows of the block starting at `start` that are results (the rest of the window is look-ahead).
    func rows(at start: Int) -> Int { min(Self.blockRows, rowCount - start) }

    /// Evaluates every instruction for the block of rows starting at `start`.
    func run(block start: Int) {
        self.start = start
        let needed = stride
        for index in program.columns {
            let column = data[index]!
            if start + needed <= rowCount {
                columnBase[index] = column.withUnsafeBufferPointer { UnsafePointer($0.baseAddress! + start) }
            } else {
                let target = wrapped + wrappedSlot[index]! * stride
                for j in 0..<needed { target[j] = column[(start + j) % rowCount] }
                columnBase[index] = UnsafePointer(target)
            }
        }
        let n = window
        for instruction in program.instructions {
            let a = pointer(instruction.a), b = pointer(instruction.b)
            let out = registers + instruction.out * stride
            switch instruction.operation {
            case .add:
                for j in 0..<n { out[j] = (FieldElement(canonical: a[j]) + FieldElement(canonical: b[j])).value }
            case .subtract:
                for j in 0..<n { out[j] = (FieldElement(canonical: a[j]) - FieldElement(canonical: b[j])).value }
            case .multiply:
                for j in 0..<n { out[j] = (FieldElement(canonical: a[j]) * FieldElement(canonical: b[j])).value }
            case .negate:
                for j in 0..<n { out[j] = (FieldElement.zero - FieldElement(canonical: a[j])).value }
            case let .power(e):
                for j in 0..<n { out[j] = FieldElement(canonical: a[j]).power(e).value }
            case let .linear(index):
                // 128-bit exact sums (each product < 2^96, far fewer than 2^32 terms), one reduction.
                high.update(repeating: 0, count: n)
                low.update(repeating: 0, count: n)
                for (coefficient, operand) in program.linearCombinations[index] {
                    let x = pointer(operand)
                    if coefficient == 1 {
                        for j in 0..<n {
                            let (sum, carry) = low[j].addingReportingOverflow(x[j])
                            low[j] = sum
                            high[j] &+= carry ? 1 : 0
                        }
                    } else {
                        for j in 0..<n {
                            let (ph, pl) = x[j].multipliedFullWidth(by: coefficient)
                            let (sum, carry) = low[j].addingReportingOverflow(pl)
                            low[j] = sum
                            high[j] &+= ph &+ (carry ? 1 : 0)
                        }
                    }
                }
                for j in 0..<n { out[j] = FieldElement.canonicalize(FieldElement.reduce128(hi: high[j], lo: low[j])) }
            }
        }
    }

    /// Where `operand`'s values for the current block start.
    func pointer(_ operand: BlockProgram.Operand) -> UnsafePointer<UInt64> {
        switch operand.source {
        case let .register(r): return UnsafePointer(registers + r * stride + operand.shift)
        case let .column(c): return columnBase[c] + operand.shift
        }
    }
}

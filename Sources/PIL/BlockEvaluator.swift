import Goldilocks

/// Runs a ``BlockProgram`` over column data, `blockRows` rows at a time: row N−1's next row is
/// row 0 (the last block reads its columns through a wrapped copy). Registers and the wrapped
/// copies are allocated once; evaluating a block allocates nothing.
final class BlockEvaluator {
    /// Rows per block.
    static let blockRows = 256

    let program: BlockProgram
    let rowCount: Int
    /// Rows computed per block: `blockRows + maxShift`.
    let window: Int
    /// Values per register buffer: `window + maxShift`.
    let stride: Int
    private let registers: UnsafeMutablePointer<UInt64>
    /// The data columns in the order of `program.columns`; never mutated, so `columnStart`
    /// stays valid while they are held here.
    private let columnData: [[UInt64]]
    /// Where each of those columns' values start.
    private let columnStart: [UnsafePointer<UInt64>]
    /// Per program column index: where the current block's row 0 is (set for the used columns).
    private let columnBase: UnsafeMutablePointer<UnsafePointer<UInt64>>
    /// Scratch for the `.linear` instruction being run: its terms' values and coefficients.
    private let termValues: UnsafeMutablePointer<UnsafePointer<UInt64>>
    private let termCoefficients: UnsafeMutablePointer<UInt64>
    /// Wrapped copies for the last blocks, one per column of `program.columns`.
    private let wrapped: UnsafeMutablePointer<UInt64>
    /// Start of the current block.
    private(set) var start = 0

    /// Loads the program's columns from `data`, checking that they are present and, unless
    /// their program column index is in `validated` (to which it is then added), canonical.
    init(program: BlockProgram, columns: Program, data: ColumnData, validated: inout Set<Int>) throws(PILError) {
        self.program = program
        rowCount = data.rowCount
        window = Self.blockRows + program.maxShift
        stride = window + program.maxShift
        var loaded: [[UInt64]] = []
        for index in program.columns {
            let name = columns.columns[index].qualifiedName
            guard let column = data[name] else { throw .missingColumn(name) }
            if !validated.contains(index) {
                if let row = Self.firstNonCanonicalRow(column) {
                    throw .nonCanonicalValue(column: name, row: row, value: column[row])
                }
                validated.insert(index)
            }
            loaded.append(column)
        }
        columnData = loaded
        columnStart = loaded.map { column in column.withUnsafeBufferPointer { $0.baseAddress! } }
        let columnIndices = (program.columns.max() ?? 0) + 1
        columnBase = .allocate(capacity: columnIndices)
        columnBase.initialize(repeating: UnsafePointer(bitPattern: 8)!, count: columnIndices)
        registers = .allocate(capacity: max(1, program.registerCount) * stride)
        registers.initialize(repeating: 0, count: max(1, program.registerCount) * stride)
        for (r, value) in program.constants {
            (registers + r * stride).update(repeating: value.value, count: stride)
        }
        let maxTerms = max(1, program.linearCombinations.map(\.count).max() ?? 1)
        termValues = .allocate(capacity: maxTerms)
        termCoefficients = .allocate(capacity: maxTerms)
        wrapped = .allocate(capacity: max(1, program.columns.count) * stride)
        wrapped.initialize(repeating: 0, count: max(1, program.columns.count) * stride)
    }

    deinit {
        registers.deallocate()
        wrapped.deallocate()
        termValues.deallocate()
        termCoefficients.deallocate()
        columnBase.deallocate()
    }

    /// The first row of `column` holding a value ≥ p, if any.
    static func firstNonCanonicalRow(_ column: [UInt64]) -> Int? {
        column.withUnsafeBufferPointer { values in
            // v ≥ p exactly when its high half is 2^32 − 1 and its low half is not 0: a
            // branch-free test, summed over chunks, searched row by row only in a bad chunk.
            let chunk = 1024
            var start = 0
            while start < values.count {
                let end = min(start + chunk, values.count)
                var bad: UInt64 = 0
                for row in start ..< end {
                    let v = values[row]
                    bad |= ((v >> 32) &+ 1) >> 32 & (((v & 0xFFFF_FFFF) &+ 0xFFFF_FFFF) >> 32)
                }
                if bad != 0 {
                    for row in start ..< end where values[row] >= FieldElement.order { return row }
                }
                start = end
            }
            return nil
        }
    }

    /// Rows of the block starting at `start` that are results (the rest of the window is look-ahead).
    func rows(at start: Int) -> Int { min(Self.blockRows, rowCount - start) }

    /// Evaluates every instruction for the block of rows starting at `start`.
    func run(block start: Int) {
        self.start = start
        let needed = stride
        for (slot, index) in program.columns.enumerated() {
            let column = columnStart[slot]
            if start + needed <= rowCount {
                columnBase[index] = column + start
            } else {
                let target = wrapped + slot * stride
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
                // Selector and flag columns are mostly 0/1: a product by a block of bits is a mask.
                if Self.isBinary(a, count: n) {
                    for j in 0..<n { out[j] = b[j] & (0 &- a[j]) }
                } else if Self.isBinary(b, count: n) {
                    for j in 0..<n { out[j] = a[j] & (0 &- b[j]) }
                } else {
                    for j in 0..<n { out[j] = (FieldElement(canonical: a[j]) * FieldElement(canonical: b[j])).value }
                }
            case .negate:
                for j in 0..<n { out[j] = (FieldElement.zero - FieldElement(canonical: a[j])).value }
            case let .power(e):
                for j in 0..<n { out[j] = FieldElement(canonical: a[j]).power(e).value }
            case .select:
                let c = pointer(instruction.c)
                if Self.isBinary(a, count: n) {
                    for j in 0..<n {
                        let mask = 0 &- a[j]
                        out[j] = (b[j] & mask) | (c[j] & ~mask)
                    }
                } else {
                    for j in 0..<n {
                        let s = FieldElement(canonical: a[j]), kept = FieldElement(canonical: c[j])
                        out[j] = (s * (FieldElement(canonical: b[j]) - kept) + kept).value
                    }
                }
            case let .linear(index):
                // 128-bit exact sums (each product < 2^96, far fewer than 2^32 terms), one reduction;
                // terms with coefficient 1 first, then the scaled ones (coefficients < 2^32).
                let terms = program.linearCombinations[index]
                var units = 0
                for (coefficient, operand) in terms where coefficient == 1 {
                    termValues[units] = pointer(operand)
                    units += 1
                }
                var count = units
                for (coefficient, operand) in terms where coefficient != 1 {
                    termValues[count] = pointer(operand)
                    termCoefficients[count] = coefficient
                    count += 1
                }
                for j in 0..<n {
                    // Unit terms summed by 32-bit halves: below 2^32 terms nothing carries, so
                    // there is no carry to branch on (the scaled terms' carries go to `adc`).
                    var lowHalves: UInt64 = 0, highHalves: UInt64 = 0
                    for t in 0..<units {
                        let x = termValues[t][j]
                        lowHalves &+= x & 0xFFFF_FFFF
                        highHalves &+= x >> 32
                    }
                    var (low, carry) = (highHalves << 32).addingReportingOverflow(lowHalves)
                    var high = (highHalves >> 32) &+ (carry ? 1 : 0)
                    for t in units..<count {
                        let (ph, pl) = termValues[t][j].multipliedFullWidth(by: termCoefficients[t])
                        (low, carry) = low.addingReportingOverflow(pl)
                        high &+= ph &+ (carry ? 1 : 0)
                    }
                    out[j] = FieldElement.canonicalize(FieldElement.reduce128(hi: high, lo: low))
                }
            }
        }
    }

    /// Whether the `count` values at `values` are all 0 or 1.
    @inline(__always)
    static func isBinary(_ values: UnsafePointer<UInt64>, count: Int) -> Bool {
        var above: UInt64 = 0
        for j in 0..<count { above |= values[j] >> 1 }
        return above == 0
    }

    /// Where `operand`'s values for the current block start.
    func pointer(_ operand: BlockProgram.Operand) -> UnsafePointer<UInt64> {
        switch operand.source {
        case let .register(r): return UnsafePointer(registers + r * stride + operand.shift)
        case let .column(c): return columnBase[c] + operand.shift
        }
    }
}

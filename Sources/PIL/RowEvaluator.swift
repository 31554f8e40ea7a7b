import Goldilocks

/// Evaluates resolved expressions on a row of column data, wrapping from row N−1 to row 0.
struct RowEvaluator {
    let rowCount: Int
    private let intermediates: [PolynomialExpression]
    private let values: [[UInt64]]

    /// Loads the `columns` (indices into the program's columns) from `data`, checking presence and
    /// canonicity.
    init(program: Program, data: ColumnData, columns: Set<Int>) throws(PILError) {
        rowCount = data.rowCount
        intermediates = program.intermediates.map(\.expression)
        var values = [[UInt64]](repeating: [], count: program.columns.count)
        for index in columns.sorted() {
            let name = program.columns[index].qualifiedName
            guard let column = data[name] else { throw .missingColumn(name) }
            if let row = column.firstIndex(where: { $0 >= FieldElement.order }) {
                throw .nonCanonicalValue(column: name, row: row, value: column[row])
            }
            values[index] = column
        }
        self.values = values
    }

    /// The expression's value on `row`.
    func evaluate(_ expression: PolynomialExpression, row: Int) -> FieldElement {
        evaluate(expression, row: row, shift: 0)
    }

    private func evaluate(_ expression: PolynomialExpression, row: Int, shift: Int) -> FieldElement {
        switch expression {
        case let .constant(value):
            return value
        case let .column(index, next):
            let r = (row + shift + (next ? 1 : 0)) % rowCount
            return FieldElement(canonical: values[index][r])
        case let .intermediate(index, next):
            return evaluate(intermediates[index], row: row, shift: shift + (next ? 1 : 0))
        case let .add(a, b):
            return evaluate(a, row: row, shift: shift) + evaluate(b, row: row, shift: shift)
        case let .subtract(a, b):
            return evaluate(a, row: row, shift: shift) - evaluate(b, row: row, shift: shift)
        case let .multiply(a, b):
            return evaluate(a, row: row, shift: shift) * evaluate(b, row: row, shift: shift)
        case let .negate(a):
            return -evaluate(a, row: row, shift: shift)
        case let .power(a, exponent):
            return evaluate(a, row: row, shift: shift).power(exponent)
        }
    }
}

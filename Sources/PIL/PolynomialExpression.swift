import Goldilocks

/// An expression with every name resolved: columns and intermediates by index into a
/// ``Program``, constants folded into field elements.
public indirect enum PolynomialExpression: Sendable, Equatable {
    /// A field constant.
    case constant(FieldElement)
    /// Column `index` of ``Program/columns``, this row or (`next`) the following one.
    case column(Int, next: Bool)
    /// Intermediate `index` of ``Program/intermediates``, this row or shifted to the next.
    case intermediate(Int, next: Bool)
    /// Sum.
    case add(PolynomialExpression, PolynomialExpression)
    /// Difference.
    case subtract(PolynomialExpression, PolynomialExpression)
    /// Product.
    case multiply(PolynomialExpression, PolynomialExpression)
    /// Negation.
    case negate(PolynomialExpression)
    /// `base ** exponent` with a constant exponent.
    case power(PolynomialExpression, UInt64)

    /// Calls `body` on every column and intermediate index the expression refers to directly.
    func visitReferences(_ body: (_ column: Int?, _ intermediate: Int?) -> Void) {
        switch self {
        case .constant: break
        case let .column(index, _): body(index, nil)
        case let .intermediate(index, _): body(nil, index)
        case let .add(a, b), let .subtract(a, b), let .multiply(a, b):
            a.visitReferences(body)
            b.visitReferences(body)
        case let .negate(a), let .power(a, _): a.visitReferences(body)
        }
    }
}

/// A binary operator of PIL expressions.
public enum BinaryOperator: String, Sendable, Equatable {
    /// `+`
    case add = "+"
    /// `-`
    case subtract = "-"
    /// `*`
    case multiply = "*"
    /// `**` (the exponent must be a constant expression)
    case power = "**"
}

/// A reference to a polynomial as written: `a`, `Global.L1`, `CLK32[4]`, `key0'`.
public struct PolynomialReference: Sendable, Equatable {
    /// The name as written (qualified with a namespace or not).
    public let name: String
    /// The array index, when written `name[index]`.
    public let index: Expression?
    /// Whether it is the next-row value (`name'`).
    public let isNext: Bool
    /// Where it is written.
    public let location: SourceLocation

    /// Creates a reference.
    public init(name: String, index: Expression?, isNext: Bool, location: SourceLocation) {
        self.name = name
        self.index = index
        self.isNext = isNext
        self.location = location
    }
}

/// A PIL expression as parsed; every node knows its source location.
public indirect enum Expression: Sendable, Equatable {
    /// A literal (decimal or hex) as a 64-bit value.
    case number(UInt64, SourceLocation)
    /// `%NAME`.
    case constant(String, SourceLocation)
    /// A polynomial reference.
    case reference(PolynomialReference)
    /// Unary minus.
    case negate(Expression, SourceLocation)
    /// `lhs op rhs`.
    case binary(BinaryOperator, Expression, Expression, SourceLocation)

    /// Where the expression starts.
    public var location: SourceLocation {
        switch self {
        case let .number(_, at), let .constant(_, at), let .negate(_, at), let .binary(_, _, _, at): return at
        case let .reference(reference): return reference.location
        }
    }
}

/// One name of a `pol commit` / `pol constant` list, with its array size if written `name[size]`.
public struct PolynomialDeclarator: Sendable, Equatable {
    /// The name.
    public let name: String
    /// The array size expression, for `name[size]`.
    public let arraySize: Expression?
    /// Where it is written.
    public let location: SourceLocation

    /// Creates a declarator.
    public init(name: String, arraySize: Expression?, location: SourceLocation) {
        self.name = name
        self.arraySize = arraySize
        self.location = location
    }
}

/// The two kinds of declared columns.
public enum ColumnKind: String, Sendable, Equatable {
    /// `pol commit`: witness columns.
    case committed
    /// `pol constant`: fixed (preprocessed) columns.
    case constant
}

/// One side of a plookup or permutation: `selector { e1, e2, ... }`.
public struct SelectedTuple: Sendable, Equatable {
    /// The selector expression; `nil` means every row.
    public let selector: Expression?
    /// The tuple's expressions.
    public let expressions: [Expression]
    /// Where the side starts.
    public let location: SourceLocation

    /// Creates a side.
    public init(selector: Expression?, expressions: [Expression], location: SourceLocation) {
        self.selector = selector
        self.expressions = expressions
        self.location = location
    }
}

/// Whether a tuple constraint is an inclusion (`in`) or a multiset equality (`is`).
public enum TupleConstraintKind: String, Sendable, Equatable {
    /// `in`: every selected left tuple occurs among the selected right tuples.
    case plookup = "in"
    /// `is`: the selected left and right tuples are equal as multisets.
    case permutation = "is"
}

/// One PIL statement as parsed.
public enum Statement: Sendable, Equatable {
    /// `include "path";`
    case include(path: String, at: SourceLocation)
    /// `constant %NAME = expr;`
    case constantDefinition(name: String, value: Expression, at: SourceLocation)
    /// `namespace Name(size);`
    case namespace(name: String, size: Expression, at: SourceLocation)
    /// `pol commit a, b[4];` or `pol constant ...;`
    case declaration(ColumnKind, [PolynomialDeclarator], at: SourceLocation)
    /// `pol name = expr;` (an intermediate polynomial)
    case definition(name: String, value: Expression, at: SourceLocation)
    /// `lhs = rhs;`
    case identity(lhs: Expression, rhs: Expression, at: SourceLocation)
    /// `sel { ... } in sel2 { ... };` or with `is`.
    case tuple(TupleConstraintKind, left: SelectedTuple, right: SelectedTuple, at: SourceLocation)
    /// `public name = pol(row);`
    case publicValue(name: String, polynomial: PolynomialReference, row: Expression, at: SourceLocation)
}

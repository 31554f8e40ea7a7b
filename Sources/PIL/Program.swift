import Foundation
import Goldilocks

/// A declared column (one element of an array counts as one column, named `name[i]`).
public struct Column: Sendable, Equatable {
    /// `Namespace.name` or `Namespace.name[i]`.
    public let qualifiedName: String
    /// The namespace it belongs to.
    public let namespace: String
    /// Committed or constant.
    public let kind: ColumnKind
    /// Where it is declared.
    public let location: SourceLocation
}

/// A namespace with its columns in declaration order (array elements expanded in place).
public struct Namespace: Sendable, Equatable {
    /// The namespace's name.
    public let name: String
    /// The value of its size expression (`%N`).
    public let size: UInt64
    /// Local names of its committed columns, in declaration order.
    public internal(set) var committed: [String]
    /// Local names of its constant columns, in declaration order.
    public internal(set) var constants: [String]
    /// Where (first) declared.
    public let location: SourceLocation
}

/// `pol name = expr;`
public struct Intermediate: Sendable, Equatable {
    /// `Namespace.name`.
    public let qualifiedName: String
    /// The resolved definition.
    public internal(set) var expression: PolynomialExpression
    /// Where defined.
    public let location: SourceLocation
}

/// `lhs = rhs;`, holding on every row.
public struct Identity: Sendable, Equatable {
    /// The namespace it is written in.
    public let namespace: String
    /// The left side.
    public let lhs: PolynomialExpression
    /// The right side.
    public let rhs: PolynomialExpression
    /// Where written.
    public let location: SourceLocation
}

/// One resolved side of a plookup or permutation.
public struct ResolvedTuple: Sendable, Equatable {
    /// The selector; `nil` selects every row.
    public let selector: PolynomialExpression?
    /// The tuple's expressions.
    public let expressions: [PolynomialExpression]
}

/// A resolved plookup (`in`) or permutation (`is`).
public struct TupleConstraint: Sendable, Equatable {
    /// Inclusion or multiset equality.
    public let kind: TupleConstraintKind
    /// The namespace it is written in.
    public let namespace: String
    /// The side that must be included / permuted.
    public let left: ResolvedTuple
    /// The table side.
    public let right: ResolvedTuple
    /// Where written.
    public let location: SourceLocation
}

/// `public name = pol(row);`
public struct PublicValue: Sendable, Equatable {
    /// The public's name.
    public let name: String
    /// The column it reads.
    public let column: Int
    /// The row it reads.
    public let row: UInt64
    /// Where declared.
    public let location: SourceLocation
}

/// A whole PIL program with names resolved: the checker's input.
public struct Program: Sendable {
    /// Namespaces in order of first declaration.
    public internal(set) var namespaces: [Namespace] = []
    /// Every column (committed and constant) in declaration order over the include tree.
    public internal(set) var columns: [Column] = []
    /// Intermediate polynomials in definition order.
    public internal(set) var intermediates: [Intermediate] = []
    /// Polynomial identities in source order.
    public internal(set) var identities: [Identity] = []
    /// Plookups and permutations in source order.
    public internal(set) var tupleConstraints: [TupleConstraint] = []
    /// Public values in source order.
    public internal(set) var publics: [PublicValue] = []
    /// Every `%NAME` constant with its value.
    public internal(set) var constants: [String: FieldElement] = [:]
    /// Column index by qualified name.
    public internal(set) var columnIndex: [String: Int] = [:]

    /// The namespace named `name`.
    public func namespace(_ name: String) -> Namespace? { namespaces.first { $0.name == name } }

    /// Qualified names of the committed columns, in declaration order.
    public var committedColumnNames: [String] { columns.filter { $0.kind == .committed }.map(\.qualifiedName) }

    /// An empty program (filled by the builder).
    init() {}

    /// Reads `url` and its includes (see ``SourceLoader``) and resolves them. `constants` are
    /// defined before the first statement (e.g. `["N": 1 << 16]` to read storage.pil alone); a
    /// `constant` statement in the source overrides them.
    public static func load(
        _ url: URL, searchDirectories: [URL] = [], constants: [String: UInt64] = [:]
    ) throws(PILError) -> Program {
        let statements = try SourceLoader(searchDirectories: searchDirectories).load(url)
        return try Program(statements: statements, constants: constants)
    }

    /// Resolves a flat statement list (includes already expanded).
    public init(statements: [Statement], constants: [String: UInt64] = [:]) throws(PILError) {
        var builder = ProgramBuilder()
        for (name, value) in constants { builder.program.constants[name] = FieldElement(reducing: value) }
        try builder.build(statements)
        self = builder.program
    }
}

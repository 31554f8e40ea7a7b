/// Everything that can go wrong reading, resolving or preparing to check a PIL program. Each case
/// says where (file:line) and what was found or expected.
public enum PILError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file could not be read.
    case unreadableFile(path: String, reason: String, includedFrom: SourceLocation?)
    /// `include` nests back into a file that is already being read.
    case includeCycle(path: String, at: SourceLocation)
    /// A character that starts no token.
    case unexpectedCharacter(Character, at: SourceLocation)
    /// A `/* ... */` comment or a `"..."` string that never ends.
    case unterminated(what: String, at: SourceLocation)
    /// A number literal that does not fit in 64 bits.
    case numberTooLarge(String, at: SourceLocation)
    /// The parser met `found` where it expected `expected`.
    case unexpectedToken(expected: String, found: String, at: SourceLocation)
    /// A `%NAME` used before any `constant %NAME = ...;`.
    case undefinedConstant(String, at: SourceLocation)
    /// A name (or array element) that no `pol` declaration defines.
    case undefinedReference(String, at: SourceLocation)
    /// The same qualified name declared twice.
    case duplicateDefinition(String, at: SourceLocation, first: SourceLocation)
    /// A `pol` declaration, definition or constraint before any `namespace`.
    case outsideNamespace(at: SourceLocation)
    /// An expression that must be a compile-time constant (array size, index, exponent) is not.
    case notConstant(what: String, at: SourceLocation)
    /// An array index outside `0..<size`, or indexing a non-array / not indexing an array.
    case badIndex(String, at: SourceLocation)
    /// Intermediate definitions that refer to each other in a cycle.
    case cyclicDefinition(String, at: SourceLocation)
    /// Tuples of different lengths on the two sides of a plookup or permutation.
    case tupleLengthMismatch(left: Int, right: Int, at: SourceLocation)
    /// Column data: a column the constraints need is missing.
    case missingColumn(String)
    /// Column data: a column whose length differs from the others.
    case columnLength(String, expected: Int, found: Int)
    /// Column data: a value not in `0..<p`.
    case nonCanonicalValue(column: String, row: Int, value: UInt64)
    /// Column data with zero rows.
    case emptyColumnData

    /// One line naming the place and the problem.
    public var description: String {
        switch self {
        case let .unreadableFile(path, reason, from):
            return "cannot read \(path): \(reason)" + (from.map { " (included from \($0))" } ?? "")
        case let .includeCycle(path, at):
            return "\(at): include cycle through \(path)"
        case let .unexpectedCharacter(c, at):
            return "\(at): unexpected character \(String(reflecting: c))"
        case let .unterminated(what, at):
            return "\(at): unterminated \(what)"
        case let .numberTooLarge(text, at):
            return "\(at): number \(text) does not fit in 64 bits"
        case let .unexpectedToken(expected, found, at):
            return "\(at): expected \(expected), found \(found)"
        case let .undefinedConstant(name, at):
            return "\(at): undefined constant %\(name)"
        case let .undefinedReference(name, at):
            return "\(at): undefined polynomial \(name)"
        case let .duplicateDefinition(name, at, first):
            return "\(at): \(name) already defined at \(first)"
        case let .outsideNamespace(at):
            return "\(at): polynomial or constraint outside any namespace"
        case let .notConstant(what, at):
            return "\(at): \(what) must be a constant expression"
        case let .badIndex(text, at):
            return "\(at): \(text)"
        case let .cyclicDefinition(name, at):
            return "\(at): intermediate \(name) refers to itself"
        case let .tupleLengthMismatch(left, right, at):
            return "\(at): tuples of \(left) and \(right) expressions"
        case let .missingColumn(name):
            return "column data has no column \(name)"
        case let .columnLength(name, expected, found):
            return "column \(name) has \(found) rows, expected \(expected)"
        case let .nonCanonicalValue(column, row, value):
            return "column \(column) row \(row): \(value) is not a canonical field element"
        case .emptyColumnData:
            return "column data has no rows"
        }
    }
}

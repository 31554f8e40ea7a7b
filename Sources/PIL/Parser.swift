/// Parses one PIL file's tokens into ``Statement``s (includes are not followed here; see
/// ``SourceLoader``).
///
/// Grammar (the subset the zkEVM storage machines use):
/// `include "p";`, `constant %N = e;`, `namespace Name(e);`, `pol commit|constant d, d[e];`,
/// `pol name = e;`, `public name = ref(e);`, `e = e;`, `[e] { e, ... } in|is [e] { e, ... };`.
/// Expressions: `+ -` (left), `*` (left), unary `-`, `**` (right), primaries: numbers, `%NAME`,
/// `name`, `name[e]`, `name'`, `name[e]'`, `( e )`. The final `;` of a file may be omitted.
public struct Parser: Sendable {
    private let tokens: [Token]
    private var position = 0

    /// Prepares to parse `tokens` (as from ``Lexer/tokenize()``; must end with `.end`).
    public init(tokens: [Token]) {
        self.tokens = tokens.last?.kind == .end ? tokens : tokens + [Token(.end, at: tokens.last?.location ?? SourceLocation(file: "", line: 1))]
    }

    /// Lexes and parses a whole file.
    public static func parse(source: String, file: String) throws(PILError) -> [Statement] {
        var parser = Parser(tokens: try Lexer(source: source, file: file).tokenize())
        return try parser.parseFile()
    }

    /// Parses statements up to the end of the tokens.
    public mutating func parseFile() throws(PILError) -> [Statement] {
        var statements: [Statement] = []
        while current.kind != .end {
            statements.append(try parseStatement())
        }
        return statements
    }

    // MARK: Statements

    private mutating func parseStatement() throws(PILError) -> Statement {
        let start = current.location
        switch current.kind {
        case .identifier("include"):
            advance()
            guard case let .string(path) = current.kind else { throw unexpected("an include path string") }
            advance()
            try endStatement()
            return .include(path: path, at: start)
        case .identifier("constant"):
            advance()
            guard case let .constantName(name) = current.kind else { throw unexpected("a constant name %NAME") }
            advance()
            try expect("=")
            let value = try parseExpression()
            try endStatement()
            return .constantDefinition(name: name, value: value, at: start)
        case .identifier("namespace"):
            advance()
            let name = try expectIdentifier("a namespace name")
            try expect("(")
            let size = try parseExpression()
            try expect(")")
            try endStatement()
            return .namespace(name: name, size: size, at: start)
        case .identifier("pol"):
            advance()
            return try parsePol(start: start)
        case .identifier("public"):
            advance()
            let name = try expectIdentifier("a public name")
            try expect("=")
            let polynomial = try parseReference()
            try expect("(")
            let row = try parseExpression()
            try expect(")")
            try endStatement()
            return .publicValue(name: name, polynomial: polynomial, row: row, at: start)
        case .symbol("{"):
            return try parseTupleConstraint(selector: nil, start: start)
        default:
            let lhs = try parseExpression()
            if current.kind == .symbol("{") {
                return try parseTupleConstraint(selector: lhs, start: start)
            }
            try expect("=", what: "'=' or '{'")
            let rhs = try parseExpression()
            try endStatement()
            return .identity(lhs: lhs, rhs: rhs, at: start)
        }
    }

    private mutating func parsePol(start: SourceLocation) throws(PILError) -> Statement {
        let kind: ColumnKind
        switch current.kind {
        case .identifier("commit"): kind = .committed
        case .identifier("constant"): kind = .constant
        case .identifier(let name):
            advance()
            try expect("=", what: "'=' after pol \(name)")
            let value = try parseExpression()
            try endStatement()
            return .definition(name: name, value: value, at: start)
        default:
            throw unexpected("'commit', 'constant' or a polynomial name")
        }
        advance()
        var declarators: [PolynomialDeclarator] = []
        repeat {
            let location = current.location
            let name = try expectIdentifier("a polynomial name")
            var size: Expression?
            if current.kind == .symbol("[") {
                advance()
                size = try parseExpression()
                try expect("]")
            }
            declarators.append(PolynomialDeclarator(name: name, arraySize: size, location: location))
        } while accept(",")
        try endStatement()
        return .declaration(kind, declarators, at: start)
    }

    private mutating func parseTupleConstraint(selector: Expression?, start: SourceLocation) throws(PILError) -> Statement {
        let left = try parseTuple(selector: selector, start: start)
        let kind: TupleConstraintKind
        switch current.kind {
        case .identifier("in"): kind = .plookup
        case .identifier("is"): kind = .permutation
        default: throw unexpected("'in' or 'is'")
        }
        advance()
        let rightStart = current.location
        var rightSelector: Expression?
        if current.kind != .symbol("{") { rightSelector = try parseExpression() }
        let right = try parseTuple(selector: rightSelector, start: rightStart)
        try endStatement()
        return .tuple(kind, left: left, right: right, at: start)
    }

    private mutating func parseTuple(selector: Expression?, start: SourceLocation) throws(PILError) -> SelectedTuple {
        try expect("{")
        var expressions: [Expression] = []
        if current.kind != .symbol("}") {
            repeat { expressions.append(try parseExpression()) } while accept(",")
        }
        try expect("}", what: "',' or '}'")
        return SelectedTuple(selector: selector, expressions: expressions, location: start)
    }

    /// `;`, or nothing at the end of the file (storage.pil's last plookup has no `;`).
    private mutating func endStatement() throws(PILError) {
        if current.kind == .end { return }
        try expect(";")
    }

    // MARK: Expressions

    /// Parses one expression at the lowest precedence.
    public mutating func parseExpression() throws(PILError) -> Expression {
        var lhs = try parseProduct()
        while case let .symbol(s) = current.kind, s == "+" || s == "-" {
            let location = current.location
            advance()
            let rhs = try parseProduct()
            lhs = .binary(s == "+" ? .add : .subtract, lhs, rhs, location)
        }
        return lhs
    }

    private mutating func parseProduct() throws(PILError) -> Expression {
        var lhs = try parseUnary()
        while current.kind == .symbol("*") {
            let location = current.location
            advance()
            lhs = .binary(.multiply, lhs, try parseUnary(), location)
        }
        return lhs
    }

    private mutating func parseUnary() throws(PILError) -> Expression {
        if current.kind == .symbol("-") {
            let location = current.location
            advance()
            return .negate(try parseUnary(), location)
        }
        return try parsePower()
    }

    private mutating func parsePower() throws(PILError) -> Expression {
        let base = try parsePrimary()
        if current.kind == .symbol("**") {
            let location = current.location
            advance()
            return .binary(.power, base, try parseUnary(), location)
        }
        return base
    }

    private mutating func parsePrimary() throws(PILError) -> Expression {
        let location = current.location
        switch current.kind {
        case let .number(_, value):
            advance()
            return .number(value, location)
        case let .constantName(name):
            advance()
            return .constant(name, location)
        case .identifier:
            return .reference(try parseReference())
        case .symbol("("):
            advance()
            let inner = try parseExpression()
            try expect(")")
            return inner
        default:
            throw unexpected("an expression")
        }
    }

    private mutating func parseReference() throws(PILError) -> PolynomialReference {
        let location = current.location
        let name = try expectIdentifier("a polynomial name")
        var index: Expression?
        if current.kind == .symbol("[") {
            advance()
            index = try parseExpression()
            try expect("]")
        }
        let isNext = accept("'")
        return PolynomialReference(name: name, index: index, isNext: isNext, location: location)
    }

    // MARK: Tokens

    private var current: Token { tokens[min(position, tokens.count - 1)] }

    private mutating func advance() { position += 1 }

    private mutating func accept(_ symbol: String) -> Bool {
        guard current.kind == .symbol(symbol) else { return false }
        advance()
        return true
    }

    private mutating func expect(_ symbol: String, what: String? = nil) throws(PILError) {
        guard accept(symbol) else { throw unexpected(what ?? "'\(symbol)'") }
    }

    private mutating func expectIdentifier(_ what: String) throws(PILError) -> String {
        guard case let .identifier(name) = current.kind else { throw unexpected(what) }
        advance()
        return name
    }

    private func unexpected(_ expected: String) -> PILError {
        .unexpectedToken(expected: expected, found: current.display, at: current.location)
    }
}

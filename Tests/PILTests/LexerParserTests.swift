import Foundation
import PIL
import Testing

@Suite struct LexerTests {
    @Test func tokensWithLinesAndComments() throws {
        let source = "a' + 0x1F * -3 // comment\n/* block\n comment */ %N Global.L1 ** \"f.pil\";"
        let tokens = try Lexer(source: source, file: "t.pil").tokenize()
        let kinds = tokens.map(\.kind)
        #expect(kinds == [
            .identifier("a"), .symbol("'"), .symbol("+"), .number(text: "0x1F", value: 31), .symbol("*"),
            .symbol("-"), .number(text: "3", value: 3), .constantName("N"), .identifier("Global.L1"),
            .symbol("**"), .string("f.pil"), .symbol(";"), .end,
        ])
        #expect(tokens.map(\.location.line) == [1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3])
    }

    @Test func numberLimits() throws {
        let max = try Lexer(source: "18446744073709551615 0xFFFFFFFFFFFFFFFF", file: "t").tokenize()
        #expect(max.prefix(2).map(\.kind) == [
            .number(text: "18446744073709551615", value: .max), .number(text: "0xFFFFFFFFFFFFFFFF", value: .max),
        ])
        #expect(pilError { _ = try Lexer(source: "\n18446744073709551616", file: "t").tokenize() }
            == .numberTooLarge("18446744073709551616", at: SourceLocation(file: "t", line: 2)))
    }

    @Test func lexicalErrors() {
        #expect(pilError { _ = try Lexer(source: "a\n/* open", file: "t").tokenize() }
            == .unterminated(what: "comment", at: SourceLocation(file: "t", line: 2)))
        #expect(pilError { _ = try Lexer(source: "a\n\nb # c", file: "t").tokenize() }
            == .unexpectedCharacter("#", at: SourceLocation(file: "t", line: 3)))
        #expect(pilError { _ = try Lexer(source: "include \"x.pil;\n", file: "t").tokenize() }
            == .unterminated(what: "string", at: SourceLocation(file: "t", line: 1)))
    }
}

@Suite struct ParserTests {
    let at = { (line: Int) in SourceLocation(file: "snippet.pil", line: line) }

    @Test func everyStatementForm() throws {
        let source = """
            include "other.pil";
            constant %N = 2**4;
            namespace A(%N);
            pol commit x, y[2];
            pol constant L;
            pol s = x + y[1]';
            x' = s * (1 - L);
            { x, y[0] } in { L, L };
            x { x } is L + 1 { y[1] };
            public p = x(0);
            """
        let statements = try Parser.parse(source: source, file: "snippet.pil")
        #expect(statements.count == 10)
        #expect(statements[0] == .include(path: "other.pil", at: at(1)))
        guard case let .constantDefinition("N", .binary(.power, .number(2, _), .number(4, _), _), loc) = statements[1]
        else { Issue.record("constant: \(statements[1])"); return }
        #expect(loc == at(2))
        guard case let .declaration(.committed, declarators, _) = statements[3] else { Issue.record("decl"); return }
        #expect(declarators.map(\.name) == ["x", "y"])
        #expect(declarators[1].arraySize == .number(2, at(4)))
        guard case let .definition("s", .binary(.add, _, .reference(y1), _), _) = statements[5] else {
            Issue.record("definition: \(statements[5])"); return
        }
        #expect(y1.name == "y" && y1.isNext && y1.index == .number(1, at(6)))
        guard case let .tuple(.plookup, left, right, _) = statements[7] else { Issue.record("plookup"); return }
        #expect(left.selector == nil && right.selector == nil && left.expressions.count == 2)
        guard case let .tuple(.permutation, pl, pr, ploc) = statements[8] else { Issue.record("permutation"); return }
        #expect(ploc == at(9))
        #expect(pl.selector != nil && pr.selector != nil)
        guard case let .publicValue("p", ref, .number(0, _), _) = statements[9] else { Issue.record("public"); return }
        #expect(ref.name == "x")
    }

    @Test func precedence() throws {
        // -2**3 + 4*5 - 1  ==  ((-(2**3)) + (4*5)) - 1
        let statements = try Parser.parse(source: "namespace A(1);\na = -2**3 + 4*5 - 1;", file: "snippet.pil")
        guard case let .identity(_, rhs, _) = statements[1] else { Issue.record("identity"); return }
        guard case .binary(.subtract, .binary(.add, .negate(.binary(.power, _, _, _), _),
                                                  .binary(.multiply, _, _, _), _), .number(1, _), _) = rhs else {
            Issue.record("shape: \(rhs)"); return
        }
    }

    @Test func lastStatementMayOmitSemicolon() throws {
        let statements = try Parser.parse(source: "namespace A(1);\n{ a } in { b }\n\n", file: "snippet.pil")
        #expect(statements.count == 2)
    }

    @Test func syntaxErrorsNameLineAndExpectation() {
        #expect(pilError { _ = try Parser.parse(source: "namespace A(1);\npol commit a\npol commit b;", file: "snippet.pil") }
            == .unexpectedToken(expected: "';'", found: "'pol'", at: at(3)))
        #expect(pilError { _ = try Parser.parse(source: "namespace A(1);\n\npol commit ;", file: "snippet.pil") }
            == .unexpectedToken(expected: "a polynomial name", found: "';'", at: at(3)))
        #expect(pilError { _ = try Parser.parse(source: "a = (b + ;", file: "snippet.pil") }
            == .unexpectedToken(expected: "an expression", found: "';'", at: at(1)))
        #expect(pilError { _ = try Parser.parse(source: "{ a, b } on { c, d };", file: "snippet.pil") }
            == .unexpectedToken(expected: "'in' or 'is'", found: "'on'", at: at(1)))
        #expect(pilError { _ = try Parser.parse(source: "a + b;", file: "snippet.pil") }
            == .unexpectedToken(expected: "'=' or '{'", found: "';'", at: at(1)))
        #expect(pilError { _ = try Parser.parse(source: "include foo;", file: "snippet.pil") }
            == .unexpectedToken(expected: "an include path string", found: "'foo'", at: at(1)))
    }
}

@Suite struct SourceLoaderTests {
    @Test func includesRelativeThenSearchDirectory() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let sub = root.appendingPathComponent("sub")
        let library = root.appendingPathComponent("lib")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: library, withIntermediateDirectories: true)
        try "namespace B(%N);\npol commit b;\n".write(to: sub.appendingPathComponent("b.pil"), atomically: true, encoding: .utf8)
        try "include \"b.pil\";\nnamespace C(%N);\npol commit c;\n"
            .write(to: library.appendingPathComponent("c.pil"), atomically: true, encoding: .utf8)
        try "include \"sub/b.pil\";\n".write(to: library.appendingPathComponent("sub-b.pil"), atomically: true, encoding: .utf8)
        try "include \"../../far/away/c.pil\";\nconstant %N = 8;\n"
            .write(to: sub.appendingPathComponent("main.pil"), atomically: true, encoding: .utf8)
        // main.pil's include is not there relative to sub/, so lib/c.pil is used; c.pil's own
        // include "b.pil" is not in lib/ either, so the search directory sub/ supplies it.
        let statements = try SourceLoader(searchDirectories: [library, sub]).load(sub.appendingPathComponent("main.pil"))
        let names = statements.compactMap { statement -> String? in
            if case let .namespace(name, _, _) = statement { return name }
            return nil
        }
        #expect(names == ["B", "C"])
        let program = try Program(statements: statements, constants: ["N": 8])
        #expect(program.committedColumnNames == ["B.b", "C.c"])
        #expect(program.columns[0].location.file.hasSuffix("sub/b.pil"))
        #expect(program.columns[0].location.line == 2)
    }

    @Test func missingIncludeAndCycle() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try "namespace A(1);\ninclude \"nowhere.pil\";\n".write(to: root.appendingPathComponent("a.pil"), atomically: true, encoding: .utf8)
        guard case let .unreadableFile(path, _, from)? = pilError({ _ = try SourceLoader().load(root.appendingPathComponent("a.pil")) })
        else { Issue.record("expected unreadableFile"); return }
        #expect(path.hasSuffix("nowhere.pil"))
        #expect(from?.line == 2)
        try "include \"y.pil\";\n".write(to: root.appendingPathComponent("x.pil"), atomically: true, encoding: .utf8)
        try "\ninclude \"x.pil\";\n".write(to: root.appendingPathComponent("y.pil"), atomically: true, encoding: .utf8)
        guard case let .includeCycle(_, at)? = pilError({ _ = try SourceLoader().load(root.appendingPathComponent("x.pil")) })
        else { Issue.record("expected includeCycle"); return }
        #expect(at.file.hasSuffix("y.pil") && at.line == 2)
    }
}

import Goldilocks
import PIL
import Testing

@Suite struct ProgramTests {
    let at = { (line: Int) in SourceLocation(file: "snippet.pil", line: line) }

    @Test func columnsIntermediatesAndConstantFolding() throws {
        let p = try program("""
            constant %N = 2**3;
            constant %M = -1;
            namespace A(%N);
            pol commit x, y[3];
            pol constant L;
            pol s = x + y[2];
            s' = %M * 0x10 + 2**64;
            namespace B(%N);
            pol commit x;
            x = A.x + A.s;
            """)
        #expect(p.namespaces.map(\.name) == ["A", "B"])
        #expect(p.namespace("A")?.committed == ["x", "y[0]", "y[1]", "y[2]"])
        #expect(p.namespace("A")?.constants == ["L"])
        #expect(p.columns.map(\.qualifiedName) == ["A.x", "A.y[0]", "A.y[1]", "A.y[2]", "A.L", "B.x"])
        #expect(p.columns[5].location == at(9))
        #expect(p.intermediates.map(\.qualifiedName) == ["A.s"])
        #expect(p.intermediates[0].expression == .add(.column(0, next: false), .column(3, next: false)))
        // -1 * 16 + 2^64 mod p = p - 16 + (2^32 - 1)
        let expected = FieldElement(canonical: FieldElement.order - 16) + FieldElement(canonical: 0xFFFF_FFFF)
        #expect(p.identities[0].lhs == .intermediate(0, next: true))
        #expect(p.identities[0].rhs == .constant(expected))
        #expect(p.identities[1].namespace == "B" && p.identities[1].location == at(10))
        #expect(p.identities[1].lhs == .column(5, next: false))
    }

    @Test func forwardReferencesResolve() throws {
        let p = try program("namespace A(4);\nx = s;\npol s = 2 * x;\npol commit x;")
        #expect(p.identities[0].rhs == .intermediate(0, next: false))
    }

    @Test func semanticErrors() {
        #expect(pilError { _ = try program("namespace A(4);\npol commit x;\n\nx = z;") }
            == .undefinedReference("A.z", at: at(4)))
        #expect(pilError { _ = try program("namespace A(4);\npol commit x;\npol commit x;") }
            == .duplicateDefinition("A.x", at: at(3), first: at(2)))
        #expect(pilError { _ = try program("namespace A(4);\npol commit y[2];\ny[2] = 0;") }
            == .badIndex("index 2 out of range for A.y[2]", at: at(3)))
        #expect(pilError { _ = try program("namespace A(4);\npol commit y[2];\ny = 0;") }
            == .badIndex("array A.y used without an index", at: at(3)))
        #expect(pilError { _ = try program("namespace A(4);\npol commit x;\nx[0] = 0;") }
            == .badIndex("A.x is not an array", at: at(3)))
        #expect(pilError { _ = try program("pol commit x;") } == .outsideNamespace(at: at(1)))
        #expect(pilError { _ = try program("namespace A(%N);") } == .undefinedConstant("N", at: at(1)))
        #expect(pilError { _ = try program("namespace A(4);\npol commit x, y;\n x = y ** x;") }
            == .notConstant(what: "exponent", at: at(3)))
        #expect(pilError { _ = try program("namespace A(4);\npol a = b;\npol b = a + 1;") }
            == .cyclicDefinition("A.a", at: at(2)))
        #expect(pilError { _ = try program("namespace A(4);\npol commit x, y;\n{ x, y } in { x };") }
            == .tupleLengthMismatch(left: 2, right: 1, at: at(3)))
    }

    @Test func publicValue() throws {
        let p = try program("namespace A(4);\npol commit x;\npublic out = x(%N - 1);", constants: ["N": 4])
        #expect(p.publics.count == 1)
        #expect(p.publics.first?.name == "out" && p.publics.first?.column == 0 && p.publics.first?.row == 3)
        #expect(p.publics.first?.location == at(3))
    }
}

@Suite struct MessageTests {
    @Test func errorsAndFailuresPrintFileLine() {
        let at = SourceLocation(file: "storage.pil", line: 7)
        #expect(PILError.unexpectedToken(expected: "';'", found: "'pol'", at: at).description
            == "storage.pil:7: expected ';', found 'pol'")
        #expect(PILError.undefinedReference("Global.CLK32[0]", at: at).description
            == "storage.pil:7: undefined polynomial Global.CLK32[0]")
        #expect(ConstraintFailure.identity(location: at, row: 3, lhs: 1, rhs: 0).description
            == "storage.pil:7: identity fails on row 3: lhs 1 != rhs 0")
        #expect(ConstraintFailure.missingTuple(location: at, row: 2, tuple: [5, 6]).description
            == "storage.pil:7: tuple [5, 6] of row 2 is missing on the right")
    }
}

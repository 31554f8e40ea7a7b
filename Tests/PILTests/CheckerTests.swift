import Foundation
import Goldilocks
import PIL
import Testing
import TestSupport

@Suite struct IdentityCheckTests {
    let at = { (line: Int) in SourceLocation(file: "snippet.pil", line: line) }

    @Test func failingIdentityReportsLineRowAndValues() throws {
        let p = try program("""
            namespace A(4);
            pol commit a, b, c;
            // c is a product
            c = a * b;
            """)
        let checker = ConstraintChecker(program: p)
        let good = try columns(4, ["A.a": [1, 2, 3, 4], "A.b": [5, 6, 7, 8], "A.c": [5, 12, 21, 32]])
        #expect(try checker.check(good).isEmpty)
        let bad = try columns(4, ["A.a": [1, 2, 3, 4], "A.b": [5, 6, 7, 8], "A.c": [5, 12, 22, 32]])
        #expect(try checker.check(bad) == [.identity(location: at(4), row: 2, lhs: 22, rhs: 21)])
    }

    @Test func nextRowWrapsFromLastRowToRowZero() throws {
        let p = try program("namespace A(4);\npol commit a;\npol constant L;\n\na' = (a + 1) * (1 - L);")
        let checker = ConstraintChecker(program: p)
        // a counts 0,1,2,3 and L marks the last row, so row 3's next row is row 0 (a = 0).
        let ok = try columns(4, ["A.a": [0, 1, 2, 3], "A.L": [0, 0, 0, 1]])
        #expect(try checker.check(ok).isEmpty)
        // Without L only the wrap-around row fails: 0 != 3 + 1.
        let wrap = try columns(4, ["A.a": [0, 1, 2, 3], "A.L": [0, 0, 0, 0]])
        #expect(try checker.check(wrap) == [.identity(location: at(5), row: 3, lhs: 0, rhs: 4)])
    }

    @Test func nextOfAnIntermediateShiftsItsColumns() throws {
        // s' = a' + b'; s'' is not written, but s's own next column b' shifts twice.
        let p = try program("namespace A(3);\npol commit a, b;\npol s = a + b';\ns' = 0;")
        let checker = ConstraintChecker(program: p)
        // s' on row r is a[r+1] + b[r+2]
        let data = try columns(3, ["A.a": [1, 2, FieldElement.order - 5], "A.b": [FieldElement.order - 2, 3, FieldElement.order - 1]])
        // row 0: a1 + b2 = 2 - 1 = 1; row 1: a2 + b0 = -5 - 2; row 2: a0 + b1 = 1 + 3
        let failures = try checker.check(data)
        #expect(failures.map(\.row) == [0, 1, 2])
        #expect(failures.first == .identity(location: at(4), row: 0, lhs: 1, rhs: 0))
        #expect(failures[1] == .identity(location: at(4), row: 1, lhs: FieldElement.order - 7, rhs: 0))
    }

    @Test func fieldArithmeticIsModP() throws {
        // (p-1) * (p-1) = 1, and 2**64 = 2**32 - 1 (mod p).
        let p = try program("namespace A(1);\npol commit a, b;\na * a = 1;\nb = 2**64;")
        let data = try columns(1, ["A.a": [FieldElement.order - 1], "A.b": [0xFFFF_FFFF]])
        #expect(try ConstraintChecker(program: p).check(data).isEmpty)
    }

    @Test func maxFailuresPerConstraint() throws {
        let p = try program("namespace A(8);\npol commit a;\na = 1;")
        let failures = try ConstraintChecker(program: p, maxFailures: 3).check(columns(8, ["A.a": Array(repeating: 0, count: 8)]))
        #expect(failures.map(\.row) == [0, 1, 2])
    }

    @Test func randomizedIdentityFindsTheCorruptedRow() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["ZKSTATE_SEED"] ?? "") ?? 0x51_1A_2026
        print("PILTests randomized seed: \(seed) (ZKSTATE_SEED replays)")
        var rng = SplitMix64(seed: seed)
        let p = try program("namespace A(64);\npol commit a, b, c;\nc = a * b' - 3 * a + 2**40;")
        let n = 64
        let a = (0..<n).map { _ in FieldElement(reducing: rng.next()) }
        let b = (0..<n).map { _ in FieldElement(reducing: rng.next()) }
        var c = (0..<n).map { a[$0] * b[($0 + 1) % n] - FieldElement(canonical: 3) * a[$0] + FieldElement(canonical: 1 << 40) }
        let checker = ConstraintChecker(program: p)
        func data() throws -> ColumnData {
            try columns(n, ["A.a": a.map(\.value), "A.b": b.map(\.value), "A.c": c.map(\.value)])
        }
        #expect(try checker.check(data()).isEmpty)
        let row = Int(rng.next() % UInt64(n))
        c[row] = c[row] + .one
        #expect(try checker.check(data()).map(\.row) == [row])
    }

    @Test func badColumnData() throws {
        let p = try program("namespace A(2);\npol commit a, b;\na = b;")
        let checker = ConstraintChecker(program: p)
        #expect(pilError { _ = try checker.check(columns(2, ["A.a": [0, 0]])) } == .missingColumn("A.b"))
        #expect(pilError { _ = try checker.check(columns(2, ["A.a": [0, 0], "A.b": [0, FieldElement.order]])) }
            == .nonCanonicalValue(column: "A.b", row: 1, value: FieldElement.order))
        #expect(pilError { _ = try columns(2, ["A.a": [0]]) } == .columnLength("A.a", expected: 2, found: 1))
    }

    @Test func nonCanonicalValuesAreFoundAtTheEdgeOfTheField() throws {
        let p = try program("namespace A(4096);\npol commit a, b;\na = b;")
        let checker = ConstraintChecker(program: p)
        // The largest canonical values, and values whose halves look like p's.
        let edge: [UInt64] = [FieldElement.order - 1, 0xFFFF_FFFE_FFFF_FFFF, 0xFFFF_FFFF, 0x1_0000_0000, 0]
        let valid = (0..<4096).map { edge[$0 % edge.count] }
        #expect(try checker.check(columns(4096, ["A.a": valid, "A.b": valid])).isEmpty)
        for (row, bad) in [(3000, FieldElement.order), (1023, FieldElement.order + 5), (4095, UInt64.max), (1024, 0xFFFF_FFFF_0000_0002)] {
            var column = valid
            column[row] = bad
            #expect(pilError { _ = try checker.check(columns(4096, ["A.a": valid, "A.b": column])) }
                == .nonCanonicalValue(column: "A.b", row: row, value: bad))
        }
    }

    @Test func sumsOfManyLargeTermsAreExact() throws {
        // Uniform values and values near p: on many rows the 128-bit sum carries out of its low word.
        let n = 128
        let p = try program("""
            namespace A(\(n));
            pol commit a, b, c, s;
            s = a + b + c + a + b + c + 4294967295 * a + 4294967295 * b + 2 * c + c;
            """)
        var rng = SplitMix64(seed: 0x5EED)
        func large() -> UInt64 {
            rng.next() % 4 == 0 ? FieldElement.order - 1 - rng.next() % 1_000 : FieldElement(reducing: rng.next()).value
        }
        var a = (0..<n).map { _ in large() }, b = (0..<n).map { _ in large() }, c = (0..<n).map { _ in large() }
        // Row 5: the unit terms' high halves sum to 2^32 − 1 (mod 2^32) and their low halves to
        // more than 2^32, so joining the halves carries.
        (a[5], b[5], c[5]) = (0x8000_0000_8000_0000, 0x8000_0000_8000_0000, 0x5555_5555_8000_0000)
        func f(_ v: UInt64) -> FieldElement { FieldElement(canonical: v) }
        let big = FieldElement(canonical: 4_294_967_295), two = FieldElement(canonical: 2)
        var sums = (0..<n).map { i -> UInt64 in
            let (x, y, z) = (f(a[i]), f(b[i]), f(c[i]))
            return (x + y + z + x + y + z + big * x + big * y + two * z + z).value
        }
        let checker = ConstraintChecker(program: p)
        func data() throws -> ColumnData { try columns(n, ["A.a": a, "A.b": b, "A.c": c, "A.s": sums]) }
        #expect(try checker.check(data()).isEmpty)
        sums[77] = (f(sums[77]) + .one).value
        #expect(try checker.check(data()).map(\.row) == [77])
    }

    @Test func setterChoicesWithBitsAndOtherSelectors() throws {
        // `x' = s·(v − x) + x` in three spellings (one evaluated as a choice between v and x),
        // with `s` 0/1 on most rows but 2 and p − 1 on two.
        let n = 512
        let p = try program("""
            namespace A(\(n));
            pol commit s, v, x, y, z;
            x' = s * (v - x) + x;
            y' = (v - y) * s + y;
            z' = z + s * (v - z);
            """)
        var rng = SplitMix64(seed: 0x5E7)
        var s = (0..<n).map { _ in rng.next() & 1 }
        s[300] = 2
        s[301] = FieldElement.order - 1
        let v = (0..<n).map { _ in FieldElement(reducing: rng.next()).value }
        func f(_ u: UInt64) -> FieldElement { FieldElement(canonical: u) }
        func register(start: UInt64) -> [UInt64] {
            var r = [start]
            for i in 0 ..< n - 1 { r.append((f(s[i]) * (f(v[i]) - f(r[i])) + f(r[i])).value) }
            return r
        }
        // Row 0 must follow row N − 1 too: start from the value the last row leads to (after the
        // first row with s = 1 the sequence no longer depends on where it started).
        func closed() -> [UInt64] {
            var r = register(start: 7)
            r[0] = (f(s[n - 1]) * (f(v[n - 1]) - f(r[n - 1])) + f(r[n - 1])).value
            return register(start: r[0])
        }
        let x = closed()
        let checker = ConstraintChecker(program: p)
        func data(_ x: [UInt64]) throws -> ColumnData {
            try columns(n, ["A.s": s, "A.v": v, "A.x": x, "A.y": x, "A.z": x])
        }
        #expect(try checker.check(data(x)).isEmpty)
        let zero = try #require((1..<n).first { s[$0 - 1] == 0 }), one = try #require((1..<n).first { s[$0 - 1] == 1 })
        for row in [zero, one, 301, 302] {
            var tampered = x
            tampered[row] = (f(tampered[row]) + .one).value
            // Row `row` fails as the next row of `row − 1`, and (unless `s` is 1 there) as the current row of `row`.
            let failing = try checker.check(data(tampered)).map(\.row)
            #expect(failing.contains(row - 1) && failing.allSatisfy { $0 == row - 1 || $0 == row })
        }
    }

    @Test func productsWithBlocksOfBitsAndOfOtherValues() throws {
        // `s` is 0/1 on most rows (whole blocks of bits) but 2 and p − 1 on two rows, so products
        // by it take both the bit path and the general one; `t` is 0/1 everywhere.
        let n = 512
        let p = try program("namespace A(\(n));\npol commit s, t, x, c, d;\nc = s * x;\nd = x * t + s;")
        var rng = SplitMix64(seed: 0xB175)
        var s = (0..<n).map { _ in rng.next() & 1 }
        s[300] = 2
        s[301] = FieldElement.order - 1
        let t = (0..<n).map { _ in rng.next() & 1 }
        let x = (0..<n).map { _ in FieldElement(reducing: rng.next()).value }
        func f(_ v: UInt64) -> FieldElement { FieldElement(canonical: v) }
        let c = (0..<n).map { (f(s[$0]) * f(x[$0])).value }
        let d = (0..<n).map { (f(x[$0]) * f(t[$0]) + f(s[$0])).value }
        let checker = ConstraintChecker(program: p)
        func data(_ c: [UInt64], _ d: [UInt64]) throws -> ColumnData {
            try columns(n, ["A.s": s, "A.t": t, "A.x": x, "A.c": c, "A.d": d])
        }
        #expect(try checker.check(data(c, d)).isEmpty)
        let zero = try #require((0..<n).first { s[$0] == 0 }), one = try #require((0..<n).first { s[$0] == 1 })
        for row in [zero, one, 300, 301] {
            var tampered = c
            tampered[row] = (f(tampered[row]) + .one).value
            #expect(try checker.check(data(tampered, d)).map(\.row) == [row])
        }
        let tOne = try #require((0..<n).first { t[$0] == 1 })
        var tampered = d
        tampered[tOne] = (f(tampered[tOne]) - .one).value
        #expect(try checker.check(data(c, tampered)).map(\.row) == [tOne])
        #expect(pilError { _ = try columns(0, [:]) } == .emptyColumnData)
    }
}

@Suite struct TupleCheckTests {
    let at = { (line: Int) in SourceLocation(file: "snippet.pil", line: line) }
    let source = """
        namespace T(4);
        pol constant X, Y;
        namespace A(4);
        pol commit sel, a, b;

        sel { a, b + 1 } in T.Y { T.X, T.X + 1 };
        sel { a, b } is T.Y { T.X, T.X };
        """

    @Test func plookupWithSelectorsPassesAndFails() throws {
        let checker = ConstraintChecker(program: try program(source))
        // Table rows selected by Y: X = 7 and 9 (X = 5 is not selected).
        var data = try columns(4, ["T.X": [7, 5, 9, 0], "T.Y": [1, 0, 1, 0],
                                   "A.sel": [1, 0, 1, 0], "A.a": [9, 5, 7, 3], "A.b": [9, 5, 7, 3]])
        #expect(try checker.check(data).isEmpty)
        // An unselected left row may hold anything; a selected one must be in the selected table.
        try data.set("A.a", [9, 5, 5, 3])
        try data.set("A.b", [9, 5, 5, 3])
        // The permutation also misses its (7,7) partner, now an extra right tuple.
        #expect(try checker.check(data) == [
            .missingTuple(location: at(6), row: 2, tuple: [5, 6]),
            .missingTuple(location: at(7), row: 2, tuple: [5, 5]),
            .extraTuple(location: at(7), row: 0, tuple: [7, 7]),
        ])
    }

    @Test func permutationIsMultisetEquality() throws {
        let checker = ConstraintChecker(program: try program(source))
        func data(sel: [UInt64], a: [UInt64]) throws -> ColumnData {
            try columns(4, ["T.X": [7, 5, 9, 0], "T.Y": [1, 0, 1, 0], "A.sel": sel, "A.a": a, "A.b": a])
        }
        // Two selected left tuples (9,9),(7,7) against the right (7,7),(9,9): a permutation.
        #expect(try checker.checkTupleConstraints(data(sel: [1, 0, 1, 0], a: [9, 5, 7, 3]), namespaces: ["A"]).isEmpty)
        // The same tuple twice on the left: the plookup holds, the permutation does not.
        let twice = try checker.checkTupleConstraints(data(sel: [1, 0, 1, 0], a: [9, 5, 9, 3]))
        #expect(twice == [
            .missingTuple(location: at(7), row: 2, tuple: [9, 9]),
            .extraTuple(location: at(7), row: 0, tuple: [7, 7]),
        ])
        // One left tuple fewer than the right: the right's extra tuple is reported.
        let fewer = try checker.checkTupleConstraints(data(sel: [1, 0, 0, 0], a: [9, 5, 7, 3]))
        #expect(fewer == [.extraTuple(location: at(7), row: 0, tuple: [7, 7])])
    }

    @Test func nonBinarySelectorIsAFailure() throws {
        let checker = ConstraintChecker(program: try program(source))
        let data = try columns(4, ["T.X": [7, 5, 9, 0], "T.Y": [1, 0, 1, 0],
                                   "A.sel": [1, 0, 2, 0], "A.a": [9, 5, 7, 3], "A.b": [9, 5, 7, 3]])
        let failures = try checker.check(data)
        #expect(failures == [
            .nonBinarySelector(location: at(6), side: .left, row: 2, value: 2),
            .nonBinarySelector(location: at(7), side: .left, row: 2, value: 2),
        ])
    }

    @Test func plookupWithoutSelectorsAndNextRows() throws {
        let p = try program("namespace A(4);\npol commit a;\npol constant R;\n{ a, a' } in { R, R' };")
        let checker = ConstraintChecker(program: p)
        // Pairs (a[r], a[r+1]) must be consecutive pairs of R: R = 0,1,2,3 wraps to (3,0).
        #expect(try checker.check(columns(4, ["A.a": [2, 3, 0, 1], "A.R": [0, 1, 2, 3]])).isEmpty)
        #expect(try checker.check(columns(4, ["A.a": [2, 3, 1, 0], "A.R": [0, 1, 2, 3]]))
            == [
                .missingTuple(location: at(4), row: 1, tuple: [3, 1]),
                .missingTuple(location: at(4), row: 2, tuple: [1, 0]),
                .missingTuple(location: at(4), row: 3, tuple: [0, 2]),
            ])
    }
}

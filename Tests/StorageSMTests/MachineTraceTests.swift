import Testing
import Goldilocks
import Poseidon
import SMT
import StorageSM

@Suite("PoseidonG and ClimbKey traces")
struct MachineTraceTests {
    static let p = FieldElement.order
    static let n = 1 << 13

    /// The every-mode run (see ``StorageExecutorTests/everyMode()``) at N = 2^13.
    static func execution() throws -> StorageExecution {
        try StorageExecutor(rom: ROMFixture.rom()).execute(StorageExecutorTests.everyMode().actions, rowCount: n)
    }

    @Test("rows per request: 31 per hash, 4 per climb; result flags only on each request's row")
    func rowCounts() throws {
        let out = try Self.execution()
        #expect(!out.poseidonRequests.isEmpty && !out.climbKeyRequests.isEmpty)
        let traces = try out.traces()
        let pg = traces.poseidonG, ck = traces.climbKey
        #expect(pg.rowCount == Self.n && ck.rowCount == Self.n)
        #expect(pg.rowsUsed == 31 * out.poseidonRequests.count)
        #expect(ck.rowsUsed == 4 * out.climbKeyRequests.count)
        #expect(traces.storageRowsUsed == out.latchRows.last! + 1)
        let hashRows = (0..<Self.n).filter { pg[.result3, $0] == 1 }
        #expect(hashRows == out.poseidonRequests.indices.map { 31 * $0 })
        #expect(pg.column(.result1).allSatisfy { $0 == 0 } && pg.column(.result2).allSatisfy { $0 == 0 })
        #expect(pg.column(.result3).allSatisfy { $0 <= 1 })
        let climbRows = (0..<Self.n).filter { ck[.result, $0] == 1 }
        #expect(climbRows == out.climbKeyRequests.indices.map { 4 * $0 + 2 })
        #expect(PoseidonGTraceBuilder.capacity(rowCount: Self.n) == Self.n / 31)
        #expect(ClimbKeyTraceBuilder.capacity(rowCount: Self.n) == Self.n / 4)
    }

    @Test("each hash block starts with its inputs and ends with Poseidon.hash; hash0..3 constant")
    func poseidonRowsReproduceHash() throws {
        let out = try Self.execution()
        let pg = try out.poseidonGTrace()
        for (j, request) in out.poseidonRequests.enumerated() {
            let base = 31 * j
            let l = request.left, r = request.right
            #expect(pg.row(base)[0..<12].map { $0 } == [
                l.e0.value, l.e1.value, l.e2.value, l.e3.value, r.e0.value, r.e1.value, r.e2.value, r.e3.value,
                request.hashType, 0, 0, 0,
            ])
            let expected = Poseidon.hash(l, r, capacity: Digest(canonical: request.hashType, 0, 0, 0))
            let last = base + 30
            #expect(Digest(canonical: pg[.in0, last], pg[.in1, last], pg[.in2, last], pg[.in3, last]) == expected,
                    "request \(j)")
            for row in base...last {
                #expect(Digest(canonical: pg[.hash0, row], pg[.hash1, row], pg[.hash2, row], pg[.hash3, row]) == expected)
            }
        }
    }

    @Test("padding rows hold the permutation of the zero state, aligned on row mod 31")
    func poseidonPadding() throws {
        let out = try Self.execution()
        let pg = try out.poseidonGTrace()
        let zeroOut = try Poseidon.permutation([FieldElement](repeating: .zero, count: 12))
        for row in pg.rowsUsed..<Self.n {
            if row % 31 == 0 { #expect(pg.row(row)[0..<12].allSatisfy { $0 == 0 }) }
            if row % 31 == 30 { #expect((0..<12).map { pg[PoseidonGColumn.state($0), row] } == zeroOut.map(\.value)) }
            #expect([pg[.hash0, row], pg[.hash1, row], pg[.hash2, row], pg[.hash3, row]] == zeroOut[0..<4].map(\.value))
            #expect(pg[.result3, row] == 0)
        }
    }

    @Test("every PoseidonG row satisfies poseidong.pil; a wrong cell does not")
    func poseidonPIL() throws {
        let out = try Self.execution()
        let pg = try out.poseidonGTrace()
        let violations = Self.poseidonGViolations(pg)
        let count = violations.count
        #expect(count == 0, "\(violations.prefix(5))")
        for (column, row) in [(PoseidonGColumn.cap2, 31 + 7), (.hash1, 31 + 12), (.in5, pg.rowsUsed + 3), (.result3, 5)] {
            var bad = pg
            bad[column, row] = (bad[column, row] + 1) % Self.p
            #expect(!Self.poseidonGViolations(bad).isEmpty, "\(column.name) row \(row)")
        }
    }

    /// poseidong.pil restated (constants LAST, LATCH, LASTBLOCK, PARTIAL, C as `sm_poseidong.js` builds them).
    static func poseidonGViolations(_ pg: MachineTrace<PoseidonGColumn>) -> [String] {
        // poseidong.pil's c1 row read from b1 on; row i is this circulant rotated right by i, and
        // row c0 has 25 = 17 + 8 on b0 (the diagonal term exists only at (0, 0)).
        let circulant: [UInt64] = [17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20]
        func coefficient(_ row: Int, _ col: Int) -> UInt64 {
            circulant[(col - row + 12) % 12] + (row == 0 && col == 0 ? 8 : 0)
        }
        precondition((0..<12).map { coefficient(0, $0) } == [25, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20])
        precondition((0..<12).map { coefficient(11, $0) } == [15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20, 17])
        let constants = (0..<30).map { PoseidonParameters.roundConstants(of: $0) }
        let n = pg.rowCount
        func f(_ c: PoseidonGColumn, _ row: Int) -> FieldElement { FieldElement(canonical: pg[c, row]) }
        var violations: [String] = []
        for i in 0..<n {
            let r = i % 31, block = i / 31
            let last = i == n - 1 || r == 30
            let latch = block < n / 31 && r == 0
            if r == 30 {  // LASTBLOCK
                for k in 0..<4 where pg[PoseidonGColumn(rawValue: 12 + k)!, i] != pg[PoseidonGColumn.state(k), i] {
                    violations.append("hash\(k) ≠ in\(k) at LASTBLOCK row \(i)")
                }
            }
            for c in [PoseidonGColumn.result1, .result2, .result3] where pg[c, i] > 1 || (pg[c, i] == 1 && !latch) {
                violations.append("\(c.name) at row \(i)")
            }
            guard !last else { continue }
            let partial = r >= 4 && r < 26
            let a = (0..<12).map { f(PoseidonGColumn.state($0), i) + constants[r][$0] }
            let b = a.enumerated().map { k, x in (k == 0 || !partial) ? x.power(7) : x }
            for row in 0..<12 {
                var c = FieldElement.zero
                for col in 0..<12 { c += FieldElement(canonical: coefficient(row, col)) * b[col] }
                if f(PoseidonGColumn.state(row), i + 1) != c { violations.append("state \(row) at row \(i + 1)") }
            }
            for k in 0..<4 where pg[PoseidonGColumn(rawValue: 12 + k)!, i] != pg[PoseidonGColumn(rawValue: 12 + k)!, i + 1] {
                violations.append("hash\(k) changes at row \(i + 1)")
            }
        }
        return violations
    }

    @Test("the round-by-round states end in the fast permutation")
    func roundStates() throws {
        let inputs: [[UInt64]] = [
            Array(0..<12), [UInt64](repeating: Self.p - 1, count: 12), (0..<12).map { 0x1234_5678_9ABC_DEF0 &* UInt64($0 + 1) % Self.p },
        ]
        for input in inputs {
            let elements = input.map { FieldElement(canonical: $0) }
            let states = PoseidonRounds.states(of: elements)
            #expect(states.count == 31 && states[0] == elements)
            #expect(try states[30] == Poseidon.permutation(elements))
        }
    }

    // MARK: ClimbKey

    /// climb_key.pil restated: C1–C7 and the C8 lookup tested by its generation rule (spec §7.2).
    static func climbKeyViolations(_ t: MachineTrace<ClimbKeyColumn>) -> [String] {
        let n = t.rowCount
        let factor: [UInt64] = [1 << 18, 1 << 36, 1 << 54, 1]
        let gl: [Int] = [0x00001, 0x3C000, 0x3FFFF, 0x003FF]
        func f(_ c: ClimbKeyColumn, _ row: Int) -> FieldElement { FieldElement(canonical: t[c, row % n]) }
        func clk(_ j: Int, _ row: Int) -> FieldElement { row % 4 == j ? .one : .zero }
        var out: [String] = []
        for i in 0..<n {
            let j = i + 1
            let c012 = clk(0, i) + clk(1, i) + clk(2, i)
            for k in 0..<4 {  // C1
                let key = ClimbKeyColumn.key(k), sel = ClimbKeyColumn.keySel(k)
                if (c012 - f(sel, j)) * (f(key, j) - f(key, i)) != .zero { out.append("C1 key\(k) row \(i)") }
            }
            var c2 = FieldElement.zero, c3 = clk(2, i) * f(.keyIn, j)
            for k in 0..<4 {
                let key = ClimbKeyColumn.key(k), sel = ClimbKeyColumn.keySel(k)
                c2 += f(sel, j) * (f(key, j) - FieldElement(canonical: 2) * f(key, i) - f(.bit, i))
                c3 -= f(sel, j) * f(key, i)
            }
            if c2 != .zero { out.append("C2 row \(i)") }
            if c3 != .zero { out.append("C3 row \(i)") }
            let fac = FieldElement(canonical: factor[i % 4])
            if f(.keyIn, j) != (FieldElement.one - clk(3, i)) * f(.keyIn, i) + fac * f(.keyInChunk, j) {
                out.append("C4 row \(i)")
            }
            if (FieldElement.one - clk(3, i)) * (f(.bit, j) - f(.bit, i)) != .zero { out.append("C5 row \(i)") }
            for c in [ClimbKeyColumn.bit, .keySel0, .keySel1, .keySel2, .keySel3, .result] where t[c, i] > 1 {
                out.append("C6 \(c.name) row \(i)")
            }
            if t[.result, i] == 1 && i % 4 != 2 { out.append("C7 row \(i)") }
            // C8: the lookup tuple, tested against the table's generation rule.
            let clock = i % 4
            let sels = (0..<4).map { t[ClimbKeyColumn.keySel($0), i] }
            let clkeySel = UInt64(clock == 0 ? 0 : clock) + 4 * sels[0] + 8 * sels[1] + 16 * sels[2] + 32 * sels[3]
            let level = clock == 3 ? t[.level, i] : 0
            let chunk = t[.keyInChunk, i]
            let carryLtIn = clock == 0 ? t[.bit, i] : t[.carryLt, i]
            let carryLtOut = clock == 3 ? 0 : t[.carryLt, (i + 1) % n]
            let empty: [[UInt64]] = [[0, 0, 0, 0, 2], [1, 0, 0, 2, 2], [2, 0, 0, 2, 2], [7, 0, 0, 2, 0]]
            if empty[clock] == [clkeySel, level, chunk, carryLtIn, carryLtOut] { continue }
            var listed = false
            let expectedSel = clock == 3 ? UInt64(3 + 4 * (1 << (Int(level) % 4))) : UInt64(clock)
            let mask: UInt64 = clock == 3 ? 0x3FF : 0x3FFFF
            if clkeySel == expectedSel, level < 256, chunk <= mask, carryLtIn <= 3, clock > 0 || carryLtIn <= 1 {
                let carryIn = carryLtIn & 1, ltIn = carryLtIn >> 1
                let result = 2 * chunk + carryIn
                let carryOut: UInt64 = result > mask ? 1 : 0
                let cropped = Int(result & mask)
                let ltOut: UInt64 = cropped < gl[clock] ? 1 : (cropped == gl[clock] ? ltIn : 0)
                if clock == 3 {
                    listed = ltOut == 1 && carryOut == 0 && carryLtOut == 0
                } else {
                    listed = carryLtOut == carryOut + 2 * ltOut
                }
            }
            if !listed { out.append("C8 row \(i): \([clkeySel, level, chunk, carryLtIn, carryLtOut])") }
        }
        return out
    }

    /// The permutation Storage relies on (E13): clock 2 holds the key, clock 3 the level and climbed key.
    static func expectRequests(_ t: MachineTrace<ClimbKeyColumn>, _ requests: [StorageClimbKeyRequest]) {
        for (j, r) in requests.enumerated() {
            let c2 = 4 * j + 2, c3 = c2 + 1
            #expect(Digest(canonical: t[.key0, c2], t[.key1, c2], t[.key2, c2], t[.key3, c2]) == r.key, "climb \(j)")
            #expect(Digest(canonical: t[.key0, c3], t[.key1, c3], t[.key2, c3], t[.key3, c3]) == r.result, "climb \(j)")
            #expect(t[.level, c3] == UInt64(r.level) && t[.bit, c2] == r.bit && t[.result, c2] == 1)
        }
    }

    @Test("the every-mode run's climbs satisfy climb_key.pil, padding included")
    func climbKeyPIL() throws {
        let out = try Self.execution()
        let t = try out.climbKeyTrace()
        let violations = Self.climbKeyViolations(t)
        let count = violations.count
        #expect(count == 0, "\(violations.prefix(5))")
        Self.expectRequests(t, out.climbKeyRequests)
    }

    static func climb(_ key: [UInt64], level: Int, bit: UInt64, row: Int = 0) -> StorageClimbKeyRequest {
        var climbed = key
        climbed[level % 4] = 2 * key[level % 4] + bit
        return StorageClimbKeyRequest(row: row, key: Digest(canonical: key[0], key[1], key[2], key[3]), level: level,
                                      bit: bit, result: Digest(canonical: climbed[0], climbed[1], climbed[2], climbed[3]))
    }

    @Test("edge climbs: to p − 1 and p − 2, chunk carries, every limb, level 255")
    func edgeClimbs() throws {
        let half = (Self.p - 1) / 2
        let requests = [
            Self.climb([half, 5, 6, 7], level: 0, bit: 0),          // → p − 1
            Self.climb([1, half - 1, 0, 0], level: 1, bit: 1),      // → p − 2
            Self.climb([0, 0, 0x3FFFF, 9], level: 6, bit: 1),       // carry out of chunk 0
            Self.climb([0, 0, 0, (1 << 62) - 1], level: 255, bit: 1),
            Self.climb([0, 0, 0, 0], level: 0, bit: 1),
            Self.climb([0x7FFF_FFFF_7FFF_FFFF, 1, 2, 3], level: 4, bit: 0),  // every chunk near its limit
        ]
        let t = try ClimbKeyTraceBuilder.trace(requests: requests, rowCount: 32)
        #expect(t.rowsUsed == 24)
        let violations = Self.climbKeyViolations(t)
        let count = violations.count
        #expect(count == 0, "\(violations.prefix(5))")
        Self.expectRequests(t, requests)
        // Chunks and keyIn of the first climb, by hand.
        let x = half
        #expect((0..<4).map { t[.keyInChunk, $0] } == [x & 0x3FFFF, (x >> 18) & 0x3FFFF, (x >> 36) & 0x3FFFF, x >> 54])
        #expect(t[.keyIn, 3] == x && t[.keySel0, 3] == 1 && t[.carryLt, 0] == 0)
        // A corrupted cell is caught by the restated PIL.
        var bad = t
        bad[.keyInChunk, 1] ^= 1
        #expect(!Self.climbKeyViolations(bad).isEmpty)
    }

    @Test("typed errors: out of rows, bad row count, overflowing climb, wrong result")
    func errors() throws {
        let ok = Self.climb([1, 2, 3, 4], level: 2, bit: 1, row: 7)
        #expect(throws: MachineTraceError.outOfRows(machine: "ClimbKey", request: 2, action: 1, storageRow: 7,
                                                    capacity: 2, rowCount: 8)) {
            try ClimbKeyTraceBuilder.trace(requests: [ok, ok, ok], rowCount: 8, latchRows: [3, 9])
        }
        let fullClimbs = try ClimbKeyTraceBuilder.trace(requests: [ok, ok], rowCount: 8)  // exactly full
        #expect(fullClimbs.rowsUsed == 8 && Self.climbKeyViolations(fullClimbs).isEmpty)
        #expect(throws: MachineTraceError.invalidRowCount(machine: "ClimbKey", rowCount: 6)) {
            try ClimbKeyTraceBuilder.trace(requests: [], rowCount: 6)
        }
        let overflow = Self.climb([(Self.p - 1) / 2, 0, 0, 0], level: 0, bit: 0, row: 4)
        var wrapping = overflow
        wrapping.bit = 1
        #expect(throws: MachineTraceError.self) { try ClimbKeyTraceBuilder.trace(requests: [overflow, wrapping], rowCount: 8) }
        let e1 = Self.invalidRequest { () throws(MachineTraceError) in
            _ = try ClimbKeyTraceBuilder.trace(requests: [overflow, wrapping], rowCount: 8, latchRows: [10])
        }
        #expect(e1.map { [$0.machine, "\($0.request)", "\($0.action ?? -1)", "\($0.row)", $0.field] }
            == ["ClimbKey", "1", "0", "4", "key"])
        var wrong = ok
        wrong.result = Digest(canonical: 1, 2, 3, 4)
        let e2 = Self.invalidRequest { () throws(MachineTraceError) in
            _ = try ClimbKeyTraceBuilder.trace(requests: [wrong], rowCount: 8)
        }
        #expect(e2?.field == "result")

        let out = try Self.execution()
        let third = out.poseidonRequests[2]
        let action = out.latchRows.firstIndex { $0 >= third.row }
        #expect(throws: MachineTraceError.outOfRows(machine: "PoseidonG", request: 2, action: action,
                                                    storageRow: third.row, capacity: 2, rowCount: 62)) {
            try PoseidonGTraceBuilder.trace(requests: Array(out.poseidonRequests.prefix(3)), rowCount: 62,
                                            latchRows: out.latchRows)
        }
        let fullHashes = try PoseidonGTraceBuilder.trace(requests: Array(out.poseidonRequests.prefix(2)), rowCount: 62)
        #expect(fullHashes.rowsUsed == 62 && Self.poseidonGViolations(fullHashes).isEmpty)  // exactly full
        #expect(throws: MachineTraceError.self) {
            try PoseidonGTraceBuilder.trace(requests: out.poseidonRequests, rowCount: 31)
        }
        var badHash = out.poseidonRequests[0]
        badHash.result = Digest(canonical: 0, 0, 0, 1)
        let e3 = Self.invalidRequest { () throws(MachineTraceError) in
            _ = try PoseidonGTraceBuilder.trace(requests: [badHash], rowCount: 62)
        }
        #expect(e3?.machine == "PoseidonG" && e3?.request == 0 && e3?.field == "result")
    }

    /// The fields of the `invalidRequest` error `body` throws, nil if it throws none or another.
    static func invalidRequest(_ body: () throws(MachineTraceError) -> Void)
        -> (machine: String, request: Int, action: Int?, row: Int, field: String)? {
        do {
            try body()
            return nil
        } catch {
            guard case let .invalidRequest(machine, request, action, row, field, _) = error else { return nil }
            return (machine, request, action, row, field)
        }
    }
}

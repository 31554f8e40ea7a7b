import Foundation
import Goldilocks
import PIL
import Testing
import TestSupport

/// The constant-polynomial builders against the spec's formulas (storage-sm §4.1, §5.1, §6 E12,
/// §7.2) restated here, and the shipped PIL identities on traces that use those constants.
@Suite struct ConstantPolynomialsTests {
    static let p: UInt64 = 0xFFFF_FFFF_0000_0001
    static let romURL = Vectors.url("storage-sm/storage_sm_rom.json")
    static let poseidonURL = Vectors.url("state-tree/poseidon-constants.json")

    static func checker() throws -> ConstraintChecker {
        let directory = Vectors.url("storage-sm")
        return ConstraintChecker(program: try Program.load(
            directory.appendingPathComponent("storage_main.test.pil"), searchDirectories: [directory]))
    }

    /// The Poseidon parameters file as plain JSON.
    static func poseidonParameters() throws -> (rc: [UInt64], circulant: [UInt64], diagonal: [UInt64]) {
        let top = try #require(try JSONSerialization.jsonObject(with: Vectors.data("state-tree/poseidon-constants.json")) as? [String: Any])
        let rc = try #require(top["round_constants"] as? [String]).map { UInt64($0.dropFirst(2), radix: 16)! }
        let circulant = try #require(top["mds_circulant_row"] as? [Int]).map(UInt64.init)
        let diagonal = try #require(top["mds_diagonal"] as? [Int]).map(UInt64.init)
        return (rc, circulant, diagonal)
    }

    // MARK: Global

    @Test func globalL1AndClk32() {
        let n = 96
        let global = ConstantPolynomials.global(rowCount: n)
        #expect(global["Global.L1"] == [1] + Array(repeating: 0, count: n - 1))
        #expect(global["Global.LLAST"] == Array(repeating: 0, count: n - 1) + [1])
        for k in 0..<32 {
            let column = global["Global.CLK32[\(k)]"]!
            #expect(column.count == n)
            // CLK32[k] is 1 exactly on rows k, k + 32, k + 64.
            #expect(column.indices.filter { column[$0] == 1 } == [k, k + 32, k + 64])
            #expect(column.allSatisfy { $0 <= 1 })
        }
        #expect(global["Global.STEP"]?[95] == 95)
        #expect(global["Global.STEP32"]?[70] == 6)
    }

    // MARK: Storage (ROM)

    /// Spec §6 E12: the OPERATION bit order, as PIL column names.
    static let e12Order = [
        "hash", "hashType", "latchGet", "latchSet", "climbRkey", "climbSiblingRkey", "climbBitN", "jmpz", "jmp",
        "setHashLeft", "setHashRight", "setLevel", "setNewRoot", "setOldRoot", "setRkey", "setRkeyBit",
        "setSiblingRkey", "setSiblingValueHash", "setValueHigh", "setValueLow", "jmpnz", "inFree", "inNewRoot",
        "inOldRoot", "inRkey", "inRkeyBit", "inSiblingValueHash", "inValueLow", "inValueHigh", "inRotlVh", "inLevel",
    ]

    static func bits(_ names: String...) -> UInt64 {
        names.reduce(0) { $0 | 1 << UInt64(e12Order.firstIndex(of: $1)!) }
    }

    /// The ROM key of a PIL flag name: `setHashLeft` → `setHASH_LEFT`, `inFree` → `inFREE`; the
    /// plain flags (hash, jmp, latchGet, climbRkey, …) keep their name.
    static func romKey(_ name: String) -> String {
        for prefix in ["set", "in"] where name.hasPrefix(prefix) {
            var snake = ""
            for (i, c) in name.dropFirst(prefix.count).enumerated() {
                if c.isUppercase && i > 0 { snake += "_" }
                snake += c.uppercased()
            }
            return prefix + snake
        }
        return name
    }

    @Test func operationBitsForChosenLines() throws {
        let storage = try ConstantPolynomials.storage(rowCount: 320, rom: StorageROM(contentsOf: Self.romURL))
        let operation = try #require(storage["Storage.OPERATION"])
        // Line 0 (Run): every register set.
        #expect(operation[0] == Self.bits("setHashLeft", "setHashRight", "setOldRoot", "setNewRoot", "setValueLow",
                                          "setValueHigh", "setSiblingValueHash", "setRkey", "setSiblingRkey",
                                          "setRkeyBit", "setLevel"))
        #expect(operation[0] == 0xF_FE00)
        // Line 1: ${isValueZero()} :JMPNZ(ValueIsZero) → line 19.
        #expect(operation[1] == Self.bits("inFree", "jmpnz"))
        #expect(storage["Storage.JMP_ADDRESS"]?[1] == 19)
        // Line 3: ROTL_VH => VALUE_HIGH :JMPNZ(11).
        #expect(operation[3] == Self.bits("inRotlVh", "setValueHigh", "jmpnz"))
        #expect(storage["Storage.JMP_ADDRESS"]?[3] == 11)
        // Line 39: HASH1 into OLD_ROOT.
        #expect(operation[39] == Self.bits("hash", "hashType", "inFree", "setOldRoot"))
        // Line 106: CLIMB_SIBLING_RKEY_N, JMP(112).
        #expect(operation[106] == Self.bits("inFree", "setSiblingRkey", "climbSiblingRkey", "climbBitN", "jmp"))
        #expect(storage["Storage.JMP_ADDRESS"]?[106] == 112)
        // Lines 59 and 87: the latches.
        #expect(operation[59] == Self.bits("latchGet", "jmp"))
        #expect(operation[87] == Self.bits("latchSet", "jmp"))
        // Negative values as field elements: inSIBLING_RKEY −1 on line 32, CONST −1 on line 50.
        #expect(storage["Storage.IN_SIBLING_RKEY"]?[32] == Self.p - 1)
        #expect(storage["Storage.CONST0"]?[50] == Self.p - 1)
        #expect(storage["Storage.CONST0"]?[0] == 0)
        // Cyclic: row 286 + r is line r.
        #expect(storage["Storage.LINE"]?[285] == 285)
        #expect(storage["Storage.LINE"]?[287] == 1)
        #expect(operation[287] == operation[1])
        #expect(storage["Storage.JMP_ADDRESS"]?[287] == 19)
    }

    @Test func everyLineMatchesTheSpecRestatedOnTheRawJSON() throws {
        let top = try #require(try JSONSerialization.jsonObject(with: Vectors.data("storage-sm/storage_sm_rom.json")) as? [String: Any])
        let program = try #require(top["program"] as? [[String: Any]])
        #expect(program.count == 286)
        let n = 2 * 286 + 28
        let storage = try ConstantPolynomials.storage(rowCount: n, rom: StorageROM(contentsOf: Self.romURL))
        func field(_ value: Any?) -> UInt64 {
            let v = (value as? Int) ?? 0
            return v >= 0 ? UInt64(v) : Self.p - UInt64(-v)
        }
        for row in 0..<n {
            let line = program[row % 286]
            var operation: UInt64 = 0
            for (k, name) in Self.e12Order.enumerated() where (line[Self.romKey(name)] as? Int ?? 0) != 0 {
                operation += 1 << UInt64(k)
            }
            #expect(storage["Storage.OPERATION"]![row] == operation, "row \(row)")
            #expect(storage["Storage.CONST0"]![row] == field(line["CONST"]), "row \(row)")
            #expect(storage["Storage.JMP_ADDRESS"]![row] == field(line["jmpAddress"]), "row \(row)")
            #expect(storage["Storage.IN_SIBLING_RKEY"]![row] == field(line["inSIBLING_RKEY"]), "row \(row)")
            #expect(storage["Storage.LINE"]![row] == UInt64(row % 286), "row \(row)")
        }
    }

    @Test func romLinesBreakingTheSpecAreRejected() throws {
        func load(_ line: String) -> ConstantBuildError? {
            do {
                _ = try StorageROM(json: Data("{\"program\": [\(line)]}".utf8))
                return nil
            } catch { return error }
        }
        #expect(load("{\"line\": 1, \"jmp\": 1, \"jmpAddress\": 0}") == nil)
        #expect(load("{\"jmp\": 2}") == .badROMField(line: 0, field: "jmp", value: "2"))
        #expect(load("{\"CONST\": 4294967296}") == .badROMField(line: 0, field: "CONST", value: "4294967296"))
        #expect(load("{\"jmp\": 1, \"jmpAddress\": 1}") == .badROMField(line: 0, field: "jmpAddress", value: "1"))
        #expect(load("{\"setFOO\": 1}") == .badROMField(line: 0, field: "setFOO", value: "unknown key"))
        #expect(load("{\"hash\": \"1\"}") == .badROMField(line: 0, field: "hash", value: "1"))
    }

    // MARK: PoseidonG

    @Test func poseidonGColumnsFollowTheThirtyOneRowBlocks() throws {
        let n = 96  // 3 whole blocks (93 rows) + 3 rows
        let rc = try Self.poseidonParameters().rc
        #expect(try PoseidonGConstants.roundConstants(contentsOf: Self.poseidonURL) == rc)
        let columns = try PoseidonGConstants.columns(rowCount: n, roundConstants: rc)
        let latch = try #require(columns["PoseidonG.LATCH"]), last = try #require(columns["PoseidonG.LAST"])
        let lastBlock = try #require(columns["PoseidonG.LASTBLOCK"]), partial = try #require(columns["PoseidonG.PARTIAL"])
        #expect(latch.indices.filter { latch[$0] == 1 } == [0, 31, 62])  // not 93: no whole block there
        #expect(lastBlock.indices.filter { lastBlock[$0] == 1 } == [30, 61, 92])
        #expect(last.indices.filter { last[$0] == 1 } == [30, 61, 92, 95])
        #expect(partial.indices.filter { partial[$0] == 1 } == Array(4..<26) + Array(35..<57) + Array(66..<88))
        for j in 0..<12 {
            let c = try #require(columns["PoseidonG.C[\(j)]"])
            #expect(c[0] == rc[j])
            #expect(c[31 + 5] == rc[60 + j])
            #expect(c[29] == rc[12 * 29 + j])
            #expect(c[30] == 0 && c[61] == 0)
            #expect(c[93] == rc[j])
        }
        #expect(columns["PoseidonG.C[0]"]?[0] == 0xb585_f766_f214_4405)
    }

    /// The permutation of the zero state laid out as the reference fills unused PoseidonG rows
    /// (in = state after r rounds on row r of each block, hash = final state) satisfies every
    /// poseidong.pil identity with the built constants.
    @Test func poseidonGIdentitiesHoldOnZeroInputBlocks() throws {
        let n = 96
        let (rc, circulant, diagonal) = try Self.poseidonParameters()
        var states: [[FieldElement]] = [Array(repeating: .zero, count: 12)]
        for r in 0..<30 {
            var s = states[r].enumerated().map { $1 + FieldElement(canonical: rc[12 * r + $0]) }
            for i in 0..<12 where i == 0 || r < 4 || r >= 26 { s[i] = s[i].power(7) }
            states.append((0..<12).map { i in
                (0..<12).reduce(FieldElement.zero) { acc, j in
                    acc + FieldElement(canonical: circulant[(j - i + 12) % 12] + (i == j ? diagonal[i] : 0)) * s[j]
                }
            })
        }
        var values = try PoseidonGConstants.columns(rowCount: n, roundConstants: rc)
        let names = (0..<8).map { "in\($0)" } + ["hashType", "cap1", "cap2", "cap3"]
        for (k, name) in names.enumerated() { values["PoseidonG.\(name)"] = (0..<n).map { states[$0 % 31][k].value } }
        for k in 0..<4 { values["PoseidonG.hash\(k)"] = Array(repeating: states[30][k].value, count: n) }
        for k in 1...3 { values["PoseidonG.result\(k)"] = Array(repeating: 0, count: n) }
        let data = try ColumnData(rowCount: n, columns: values)
        let checker = try Self.checker()
        #expect(try checker.checkIdentities(data, namespaces: ["PoseidonG"]).isEmpty)
        // A constant shifted by one row breaks the round identities.
        var shifted = data
        try shifted.set("PoseidonG.PARTIAL", Array(data["PoseidonG.PARTIAL"]!.dropFirst()) + [0])
        #expect(try !checker.checkIdentities(shifted, namespaces: ["PoseidonG"]).isEmpty)
    }

    // MARK: ClimbKey

    @Test func factorCycle() {
        let factor = ConstantPolynomials.climbKey(rowCount: 32, includeTable: false)["ClimbKey.FACTOR"]!
        #expect(factor[0] == 1 << 18 && factor[1] == 1 << 36 && factor[2] == 1 << 54 && factor[3] == 1)
        #expect(factor[28..<32] == [1 << 18, 1 << 36, 1 << 54, 1])
    }

    @Test func materialisedTableStartsAsTheSpecLists() {
        let columns = ConstantPolynomials.climbKey(rowCount: 64)
        func row(_ i: Int) -> [UInt64] { ClimbKeyTable.columnNames.map { columns["ClimbKey.\($0)"]![i] } }
        // The 4 empty rows.
        #expect(row(0) == [0, 0, 0, 0, 2])
        #expect(row(1) == [1, 0, 0, 2, 2])
        #expect(row(2) == [2, 0, 0, 2, 2])
        #expect(row(3) == [7, 0, 0, 2, 0])
        // Clock 0, ltIn 0, carryIn 0, x = 0, 1, 2: climbed 2x < G0 = 1 only for x = 0.
        #expect(row(4) == [0, 0, 0, 0, 0 + 2 * 1])
        #expect(row(5) == [0, 0, 1, 0, 0])
        #expect(row(63) == [0, 0, 59, 0, 0])
    }

    @Test func listingCountAndMembershipRuleAgree() {
        var count = 0
        var mismatches: [ClimbKeyTable.Row] = []
        var clock3PerLevel = 0
        ClimbKeyTable.forEachListedRow { row in
            count += 1
            if !ClimbKeyTable.contains(row), mismatches.count < 4 { mismatches.append(row) }
            if row.clkeySel >= 7 && row.level == 200 { clock3PerLevel += 1 }
            return true
        }
        #expect(count == ClimbKeyTable.listingCount)
        #expect(count == 3_145_476)
        #expect(mismatches.isEmpty)
        // Spec: per level on clock 3, 512 + 511 (ltIn 0) + 512 + 512 (ltIn 1) rows.
        #expect(clock3PerLevel == 2047)
    }

    @Test func membershipRuleRejectsWhatTheListingLeavesOut() {
        typealias Row = ClimbKeyTable.Row
        // Clock 3, level 5 (limb 1 → T_CLKEYSEL 3 + 8): 2·511 + 1 = 1023 = G3 keeps lt only if ltIn = 1.
        #expect(ClimbKeyTable.contains(Row(clkeySel: 11, level: 5, chunk: 511, carryLtIn: 1 + 2, carryLtOut: 0)))
        #expect(!ClimbKeyTable.contains(Row(clkeySel: 11, level: 5, chunk: 511, carryLtIn: 1, carryLtOut: 0)))
        #expect(ClimbKeyTable.contains(Row(clkeySel: 11, level: 5, chunk: 510, carryLtIn: 1, carryLtOut: 0)))
        // A carry out of the top chunk is never listed.
        #expect(!ClimbKeyTable.contains(Row(clkeySel: 11, level: 5, chunk: 512, carryLtIn: 2, carryLtOut: 0)))
        // Wrong selector for the level, level out of range, non-zero carry out on clock 3.
        #expect(!ClimbKeyTable.contains(Row(clkeySel: 7, level: 5, chunk: 3, carryLtIn: 0, carryLtOut: 0)))
        #expect(!ClimbKeyTable.contains(Row(clkeySel: 7, level: 256, chunk: 3, carryLtIn: 0, carryLtOut: 0)))
        #expect(!ClimbKeyTable.contains(Row(clkeySel: 7, level: 4, chunk: 3, carryLtIn: 0, carryLtOut: 1)))
        // Clocks 0–2: the out value must be the computed one; clock 0 has no lt in; chunks are 18 bits.
        #expect(ClimbKeyTable.contains(Row(clkeySel: 1, level: 0, chunk: 0x1E000, carryLtIn: 2, carryLtOut: 2)))
        #expect(ClimbKeyTable.contains(Row(clkeySel: 1, level: 0, chunk: 0x1E000, carryLtIn: 0, carryLtOut: 0)))
        #expect(!ClimbKeyTable.contains(Row(clkeySel: 1, level: 0, chunk: 0x1E000, carryLtIn: 0, carryLtOut: 2)))
        #expect(!ClimbKeyTable.contains(Row(clkeySel: 0, level: 0, chunk: 5, carryLtIn: 2, carryLtOut: 0)))
        #expect(!ClimbKeyTable.contains(Row(clkeySel: 2, level: 0, chunk: 1 << 18, carryLtIn: 0, carryLtOut: 1)))
        #expect(!ClimbKeyTable.contains(Row(clkeySel: 2, level: 1, chunk: 1, carryLtIn: 0, carryLtOut: 2)))
    }

    /// The hand-built climb trace of ``ClimbKeyTraceTests`` (two climbs, then padding) with the
    /// built Global and FACTOR constants: identities C1–C7 hold, and every row's C8 tuple (computed
    /// by the PIL's formula restated) is a member by the rule.
    @Test func climbTraceWithBuiltConstants() throws {
        let hand = try ClimbKeyTraceTests.trace()
        let n = hand.rowCount
        var data = try ColumnData(rowCount: n, columns: ConstantPolynomials.global(rowCount: n)
            .merging(ConstantPolynomials.climbKey(rowCount: n, includeTable: false)) { a, _ in a })
        for name in hand.columns.keys where name.hasPrefix("ClimbKey.") && name != "ClimbKey.FACTOR" {
            try data.set(name, hand[name]!)
        }
        #expect(try Self.checker().checkIdentities(data, namespaces: ["ClimbKey"]).isEmpty)
        func col(_ name: String, _ row: Int) -> UInt64 { data["ClimbKey.\(name)"]![row % n] }
        for row in 0..<n {
            let clock = UInt64(row % 4)
            let sel = (clock == 3 ? 3 : clock) + 4 * col("keySel0", row) + 8 * col("keySel1", row)
                + 16 * col("keySel2", row) + 32 * col("keySel3", row)
            let carryIn = clock == 0 ? col("bit", row) : col("carryLt", row)
            let carryOut = clock == 3 ? 0 : col("carryLt", row + 1)
            let tuple = ClimbKeyTable.Row(clkeySel: sel, level: clock == 3 ? col("level", row) : 0,
                                          chunk: col("keyInChunk", row), carryLtIn: carryIn, carryLtOut: carryOut)
            #expect(ClimbKeyTable.contains(tuple), "row \(row): \(tuple)")
        }
        // The checker with the ClimbKey rule runs the real C8 plookup without the T_* columns.
        let program = try Self.checker().program
        let ruled = ConstraintChecker(program: program, tableRules: [.climbKey])
        #expect(try ruled.check(data, namespaces: ["ClimbKey"]).isEmpty)
        // Without the rule the table columns are needed.
        #expect(throws: PILError.missingColumn("ClimbKey.T_CLKEYSEL")) {
            _ = try ConstraintChecker(program: program).checkTupleConstraints(data, namespaces: ["ClimbKey"])
        }
        // Climb 1 (chunk 5, carry in 1 → 11 > G0, no carry, lt 0) with carryLt 2 entering clock 1:
        // row 0's tuple claims an out of 2 and is not in the table.
        var broken = data
        var carry = data["ClimbKey.carryLt"]!
        carry[1] = 2
        try broken.set("ClimbKey.carryLt", carry)
        let failures = try ruled.checkTupleConstraints(broken, namespaces: ["ClimbKey"])
        let location = try #require(failures.first?.location)
        #expect(failures == [.missingTuple(location: location, row: 0, tuple: [0, 0, 5, 1, 2])])
    }

    /// Padding-only ClimbKey rows pass the real C8 plookup against the materialised (truncated)
    /// table, which at small N holds the empty rows the padding uses.
    @Test func paddingPassesThePlookupWithTheMaterialisedTable() throws {
        let n = 64
        var values = ConstantPolynomials.global(rowCount: n).merging(ConstantPolynomials.climbKey(rowCount: n)) { a, _ in a }
        for name in ["key0", "key1", "key2", "key3", "level", "keyIn", "keyInChunk", "result", "bit",
                     "keySel0", "keySel1", "keySel2", "keySel3", "carryLt"] {
            values["ClimbKey.\(name)"] = Array(repeating: 0, count: n)
        }
        values["ClimbKey.carryLt"] = (0..<n).map { $0 % 4 == 0 ? 0 : 2 }
        values["ClimbKey.keySel0"] = (0..<n).map { $0 % 4 == 3 ? 1 : 0 }
        let data = try ColumnData(rowCount: n, columns: values)
        #expect(try Self.checker().check(data, namespaces: ["ClimbKey"]).isEmpty)
        var broken = data
        var carry = data["ClimbKey.carryLt"]!
        carry[5] = 3
        try broken.set("ClimbKey.carryLt", carry)
        #expect(try !Self.checker().checkTupleConstraints(broken, namespaces: ["ClimbKey"]).isEmpty)
    }

    // MARK: All together

    @Test func everyDeclaredConstantOfTheStorageNamespacesIsBuilt() throws {
        let n = 1024
        let sources = ConstantPolynomials.Sources(storageROM: Self.romURL, poseidonConstants: Self.poseidonURL)
        let data = try ConstantPolynomials.storageProgram(rowCount: n, sources: sources)
        let program = try Self.checker().program
        let skipped: Set<String> = ["Global.BYTE", "Global.BYTE_2A", "Global.BYTE2"]
        var declared: [String] = []
        for namespace in program.namespaces {
            for name in namespace.constants {
                let qualified = "\(namespace.name).\(name)"
                if skipped.contains(qualified) || qualified.hasPrefix("Global.BYTE_FACTOR") { continue }
                declared.append(qualified)
            }
        }
        #expect(declared.count == 2 + 32 + 2 + 16 + 6 + 5)
        for name in declared { #expect(data[name]?.count == n, "\(name)") }
        #expect(Set(data.columns.keys) == Set(declared))
        #expect(data.columns.values.allSatisfy { $0.allSatisfy { $0 < Self.p } })
        #expect(throws: ConstantBuildError.badRowCount(100)) {
            _ = try ConstantPolynomials.storageProgram(rowCount: 100, sources: sources)
        }
    }
}

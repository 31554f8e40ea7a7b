import Foundation
import Testing
import StorageSM
import TestSupport

@Suite("StorageROM")
struct StorageROMTests {
    @Test("the shipped ROM loads: 286 lines, 73 labels, spot-checked lines")
    func shippedROM() throws {
        let rom = try ROMFixture.rom()
        #expect(rom.count == 286)
        #expect(rom.labels.count == 73)
        #expect(rom.labels["AssertFails"] == 285)
        #expect(rom.labels["Run"] == 0)

        // Line 0 zeroes every register: all eleven setters, CONST 0.
        let l0 = rom[0]
        #expect(l0.constant == 0 && !l0.inFree)
        #expect(l0.setHashLeft && l0.setHashRight && l0.setOldRoot && l0.setNewRoot && l0.setValueLow)
        #expect(l0.setValueHigh && l0.setSiblingValueHash && l0.setRkey && l0.setSiblingRkey && l0.setRkeyBit && l0.setLevel)

        // Line 1: ${isValueZero()} :JMPNZ(ValueIsZero).
        #expect(rom[1].freeInput == .function(.isValueZero))
        #expect(rom[1].jmpnz && rom[1].jmpAddress == 19 && rom[1].jmpAddressLabel == "ValueIsZero")

        // Line 283: ${isAlmostEndPolynomial()} :JMPZ(NotEndPol); its OPERATION is inFree (bit 21) + jmpz (bit 7).
        #expect(rom[283].freeInputFunction == .isAlmostEndPolynomial)
        #expect(rom[283].jmpz && rom[283].jmpAddress == 283)
        #expect(rom[283].operation == (1 << 21) | (1 << 7))
        // Line 284 jumps to Run; 285 (AssertFails) jumps to itself.
        #expect(rom[284].jmp && rom[284].jmpAddress == 0)
        #expect(rom[285].jmp && rom[285].jmpAddress == 285)
    }

    @Test("flag and instruction counts of the shipped ROM (as counted from the JSON by script)")
    func shippedCounts() throws {
        let lines = try ROMFixture.rom().lines
        #expect(lines.filter(\.hash).count == 59)
        #expect(lines.filter(\.inFree).count == 162)
        #expect(lines.filter(\.latchSet).count == 6)
        #expect(lines.filter(\.latchGet).count == 1)
        #expect(lines.filter { $0.jmpAddress != nil }.count == 91)
        #expect(lines.filter { $0.inSiblingRkey != 0 }.count == 5)
        #expect(Set(lines.map(\.constant)) == [-1, 0, 1])
        let used = Set(lines.compactMap(\.freeInputFunction))
        #expect(used.count == 24)
        #expect(!used.contains(.GetTopTree) && !used.contains(.isSetDeleteLast))
        // Every hash and climb line takes its free input from the instruction.
        for line in lines where line.hash || line.climbRkey || line.climbSiblingRkey {
            #expect(line.freeInput == .instruction)
        }
    }

    @Test("unknown key")
    func unknownKey() throws {
        #expect(throws: StorageROMError.invalidLine(index: 5, field: "bogus", problem: .unknownKey)) {
            try ROMFixture.load(mutatingLine: 5) { $0["bogus"] = 1 }
        }
        #expect(throws: StorageROMError.invalidLine(index: 1, field: "freeInTag.extra", problem: .unknownKey)) {
            try ROMFixture.load(mutatingLine: 1) { line in
                var tag = line["freeInTag"] as? [String: Any] ?? [:]
                tag["extra"] = 0
                line["freeInTag"] = tag
            }
        }
    }

    @Test("unknown free-input function")
    func unknownFunction() throws {
        #expect(throws: StorageROMError.invalidLine(index: 1, field: "freeInTag.funcName", problem: .unknownFunction("isValueOne"))) {
            try ROMFixture.load(mutatingLine: 1) { line in
                line["freeInTag"] = ["op": "functionCall", "funcName": "isValueOne", "params": [Any]()]
            }
        }
        #expect(throws: StorageROMError.invalidLine(index: 1, field: "freeInTag.op", problem: .unknownFreeInOp("call"))) {
            try ROMFixture.load(mutatingLine: 1) { line in line["freeInTag"] = ["op": "call"] }
        }
    }

    @Test("flags other than inSIBLING_RKEY and CONST must be 0/1")
    func nonBinaryFlags() throws {
        #expect(throws: StorageROMError.invalidLine(index: 0, field: "setLEVEL", problem: .notBinary(2))) {
            try ROMFixture.load(mutatingLine: 0) { $0["setLEVEL"] = 2 }
        }
        #expect(throws: StorageROMError.invalidLine(index: 1, field: "inFREE", problem: .notBinary(-1))) {
            try ROMFixture.load(mutatingLine: 1) { $0["inFREE"] = -1 }
        }
        #expect(throws: StorageROMError.invalidLine(index: 1, field: "jmpnz", problem: .wrongType(expected: "integer", found: "number"))) {
            try ROMFixture.load(mutatingLine: 1) { $0["jmpnz"] = 0.5 }
        }
        #expect(throws: StorageROMError.invalidLine(index: 0, field: "CONST", problem: .wrongType(expected: "integer", found: "string"))) {
            try ROMFixture.load(mutatingLine: 0) { $0["CONST"] = "1" }
        }
        // A flag present with 0 is the same as absent; inSIBLING_RKEY may be -1.
        let rom = try ROMFixture.load(mutatingLine: 2) { $0["latchGet"] = 0; $0["inSIBLING_RKEY"] = -1 }
        #expect(!rom[2].latchGet && rom[2].inSiblingRkey == -1)
    }

    @Test("CONST and inSIBLING_RKEY within (-2^32, 2^32)")
    func constantRange() throws {
        for bad: Int64 in [1 << 32, -(1 << 32), Int64.max] {
            #expect(throws: StorageROMError.invalidLine(index: 0, field: "CONST", problem: .outOfRange(bad))) {
                try ROMFixture.load(mutatingLine: 0) { $0["CONST"] = bad }
            }
        }
        #expect(throws: StorageROMError.invalidLine(index: 3, field: "inSIBLING_RKEY", problem: .outOfRange(1 << 32))) {
            try ROMFixture.load(mutatingLine: 3) { $0["inSIBLING_RKEY"] = Int64(1) << 32 }
        }
        let edge = try ROMFixture.load(mutatingLine: 0) { $0["CONST"] = (Int64(1) << 32) - 1 }
        #expect(edge[0].constant == 4_294_967_295)
        let low = try ROMFixture.load(mutatingLine: 0) { $0["CONST"] = 1 - (Int64(1) << 32) }
        #expect(low[0].constant == -4_294_967_295)
    }

    @Test("jump targets inside the program; jmpAddress exactly on jump lines")
    func jumpTargets() throws {
        for bad in [286, -1, 100_000] {
            #expect(throws: StorageROMError.invalidLine(index: 1, field: "jmpAddress", problem: .jumpTargetOutOfRange(Int64(bad), programLength: 286))) {
                try ROMFixture.load(mutatingLine: 1) { $0["jmpAddress"] = bad }
            }
        }
        #expect(throws: StorageROMError.invalidLine(index: 1, field: "jmpAddress", problem: .requiredBy("jmpnz"))) {
            try ROMFixture.load(mutatingLine: 1) { $0["jmpAddress"] = nil }
        }
        #expect(throws: StorageROMError.invalidLine(index: 0, field: "jmpAddress", problem: .conflict("jmpAddress on a line without a jump"))) {
            try ROMFixture.load(mutatingLine: 0) { $0["jmpAddress"] = 3 }
        }
        #expect(throws: StorageROMError.invalidLine(index: 1, field: "jmp", problem: .conflict("more than one of jmp, jmpz, jmpnz"))) {
            try ROMFixture.load(mutatingLine: 1) { $0["jmp"] = 1 }
        }
    }

    @Test("hash and climb lines need inFREE with freeInTag op \"\"")
    func hashAndClimbFreeInput() throws {
        let hashLine = try ROMFixture.firstLine { $0.hash }
        let climbLine = try ROMFixture.firstLine { $0.climbRkey }
        let siblingClimbLine = try ROMFixture.firstLine { $0.climbSiblingRkey }
        #expect(throws: StorageROMError.invalidLine(index: hashLine, field: "inFREE", problem: .requiredBy("hash"))) {
            try ROMFixture.load(mutatingLine: hashLine) { $0["inFREE"] = nil }
        }
        #expect(throws: StorageROMError.invalidLine(index: climbLine, field: "inFREE", problem: .requiredBy("climbRkey"))) {
            try ROMFixture.load(mutatingLine: climbLine) { $0["inFREE"] = 0 }
        }
        let conflict = StorageROMLineProblem.conflict("a hash line takes its free input from the instruction (op \"\")")
        #expect(throws: StorageROMError.invalidLine(index: hashLine, field: "freeInTag.op", problem: conflict)) {
            try ROMFixture.load(mutatingLine: hashLine) { line in
                line["freeInTag"] = ["op": "functionCall", "funcName": "GetRkey", "params": [Any]()]
            }
        }
        #expect(throws: StorageROMError.invalidLine(index: hashLine, field: "freeInTag", problem: .requiredBy("inFREE"))) {
            try ROMFixture.load(mutatingLine: hashLine) { $0["freeInTag"] = nil }
        }
        #expect(throws: StorageROMError.invalidLine(index: climbLine, field: "setRKEY", problem: .requiredBy("climbRkey"))) {
            try ROMFixture.load(mutatingLine: climbLine) { $0["setRKEY"] = nil }
        }
        #expect(throws: StorageROMError.invalidLine(index: siblingClimbLine, field: "setSIBLING_RKEY", problem: .requiredBy("climbSiblingRkey"))) {
            try ROMFixture.load(mutatingLine: siblingClimbLine) { $0["setSIBLING_RKEY"] = 0 }
        }
        #expect(throws: StorageROMError.invalidLine(index: 0, field: "hashType", problem: .conflict("hashType on a line without hash"))) {
            try ROMFixture.load(mutatingLine: 0) { $0["hashType"] = 1 }
        }
        #expect(throws: StorageROMError.invalidLine(index: 0, field: "climbBitN", problem: .conflict("climbBitN on a line without a climb"))) {
            try ROMFixture.load(mutatingLine: 0) { $0["climbBitN"] = 1 }
        }
        #expect(throws: StorageROMError.invalidLine(index: 1, field: "freeInTag.op", problem: .conflict("op \"\" needs hash, climbRkey or climbSiblingRkey on the line"))) {
            try ROMFixture.load(mutatingLine: 1) { $0["freeInTag"] = ["op": ""] }
        }
    }

    @Test("mandatory fields and document shape")
    func documentShape() throws {
        #expect(throws: StorageROMError.invalidLine(index: 7, field: "lineStr", problem: .missing)) {
            try ROMFixture.load(mutatingLine: 7) { $0["lineStr"] = nil }
        }
        #expect(throws: StorageROMError.missingProgram) {
            try StorageROM(jsonData: Data(#"{"labels": {}}"#.utf8))
        }
        #expect(throws: StorageROMError.emptyProgram) {
            try StorageROM(jsonData: Data(#"{"program": []}"#.utf8))
        }
        #expect(throws: StorageROMError.self) {
            try StorageROM(jsonData: Data("{ not json".utf8))
        }
        #expect(throws: StorageROMError.self) {
            try StorageROM(contentsOf: URL(fileURLWithPath: "/nonexistent/storage_sm_rom.json"))
        }
    }
}

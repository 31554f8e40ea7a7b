import Foundation
import PIL
import Testing
import TestSupport

/// The five storage-sm PIL files from zkevm-proverjs parse and resolve, and their columns come out
/// in the order the spec (§4, §4.1, §10) states.
@Suite struct ReferenceFilesTests {
    static let directory = Vectors.url("storage-sm")

    static func program() throws -> Program {
        try Program.load(directory.appendingPathComponent("storage_main.test.pil"), searchDirectories: [directory])
    }

    @Test(arguments: ["storage.pil", "climb_key.pil", "poseidong.pil", "global.pil", "storage_main.test.pil"])
    func eachFileParses(_ name: String) throws {
        let source = String(decoding: try Vectors.data("storage-sm/\(name)"), as: UTF8.self)
        let statements = try Parser.parse(source: source, file: name)
        #expect(!statements.isEmpty)
    }

    @Test func storageFileStatementKinds() throws {
        let source = String(decoding: try Vectors.data("storage-sm/storage.pil"), as: UTF8.self)
        let statements = try Parser.parse(source: source, file: "storage.pil")
        var includes: [String] = []
        var tuples: [TupleConstraintKind] = []
        for statement in statements {
            if case let .include(path, _) = statement { includes.append(path) }
            if case let .tuple(kind, _, _, _) = statement { tuples.append(kind) }
        }
        #expect(includes == ["poseidong.pil", "climb_key.pil"])
        // PoseidonG and ClimbKey permutations, then the ROM plookup (the file's last statement,
        // written without a final ';').
        #expect(tuples == [.permutation, .permutation, .plookup])
    }

    @Test func mainIncludesEverythingThroughTheSearchDirectory() throws {
        let program = try Self.program()
        #expect(program.namespaces.map(\.name) == ["Global", "PoseidonG", "ClimbKey", "Storage", "Main"])
        #expect(program.namespaces.allSatisfy { $0.size == 1 << 22 })
        #expect(program.constants["N"]?.value == 1 << 22)
        #expect(program.constants["GL_H"]?.value == 0xFFFF_FFFF)
    }

    @Test func storageCommittedColumnsInSpecOrder() throws {
        let storage = try #require(try Self.program().namespace("Storage"))
        var expected: [String] = ["free0", "free1", "free2", "free3"]
        for register in ["hashLeft", "hashRight", "oldRoot", "newRoot", "valueLow", "valueHigh", "siblingValueHash", "rkey", "siblingRkey"] {
            expected += (0..<4).map { "\(register)\($0)" }
        }
        expected += ["rkeyBit", "level", "pc"]
        expected += ["inOldRoot", "inNewRoot", "inValueLow", "inValueHigh", "inSiblingValueHash", "inRkey", "inRkeyBit",
                     "inSiblingRkey", "inFree", "inRotlVh", "inLevel"]
        expected += ["setHashLeft", "setHashRight", "setOldRoot", "setNewRoot", "setValueLow", "setValueHigh",
                     "setSiblingValueHash", "setRkey", "setSiblingRkey", "setRkeyBit", "setLevel"]
        expected += ["hash", "hashType", "latchSet", "latchGet", "climbRkey", "climbSiblingRkey", "climbBitN",
                     "jmpz", "jmpnz", "jmp", "const0", "jmpAddress", "incCounter", "op0inv"]
        #expect(expected.count == 79)
        #expect(storage.committed == expected)
        // Spec §4 spot checks by index.
        #expect(storage.committed[40] == "rkeyBit")
        #expect(storage.committed[43] == "inOldRoot")
        #expect(storage.committed[54] == "setHashLeft")
        #expect(storage.committed[67] == "latchSet")
        #expect(storage.committed[78] == "op0inv")
        #expect(storage.constants == ["OPERATION", "CONST0", "JMP_ADDRESS", "LINE", "IN_SIBLING_RKEY"])
    }

    @Test func climbKeyAndPoseidonGColumns() throws {
        let program = try Self.program()
        let climbKey = try #require(program.namespace("ClimbKey"))
        #expect(climbKey.committed == ["key0", "key1", "key2", "key3", "level", "keyIn", "keyInChunk", "result", "bit",
                                       "keySel0", "keySel1", "keySel2", "keySel3", "carryLt"])
        #expect(climbKey.constants == ["FACTOR", "T_CLKEYSEL", "T_LEVEL", "T_CHUNK_VALUE", "T_CARRYLT_IN", "T_CARRYLT_OUT"])
        let poseidon = try #require(program.namespace("PoseidonG"))
        #expect(poseidon.committed == (0..<8).map { "in\($0)" } + ["hashType", "cap1", "cap2", "cap3"]
            + (0..<4).map { "hash\($0)" } + ["result1", "result2", "result3"])
        #expect(poseidon.constants == ["LAST", "LATCH", "LASTBLOCK", "PARTIAL"] + (0..<12).map { "C[\($0)]" })
        let global = try #require(program.namespace("Global"))
        // Spec §10: Global L1 = 0, CLK32[k] = 5 + k among the constant columns.
        #expect(global.constants.first == "L1")
        #expect(global.constants[5] == "CLK32[0]")
        #expect(global.constants[5 + 31] == "CLK32[31]")
        #expect(global.constants.count == 5 + 32 + 8 + 2)
    }

    @Test func constraintCounts() throws {
        let program = try Self.program()
        func identities(_ namespace: String) -> Int { program.identities.filter { $0.namespace == namespace }.count }
        func tuples(_ namespace: String) -> [TupleConstraintKind] {
            program.tupleConstraints.filter { $0.namespace == namespace }.map(\.kind)
        }
        // storage.pil: incCounter, 36 register setters, rkeyBit binary + setter, level, opIsZero,
        // pc, pc·L1, incCounter·L1 and 31 binary flags.
        #expect(identities("Storage") == 1 + 36 + 2 + 1 + 1 + 1 + 2 + 31)
        #expect(tuples("Storage") == [.permutation, .permutation, .plookup])
        // climb_key.pil: 4 + 1 + 1 + 1 + 1 + 6 + 1.
        #expect(identities("ClimbKey") == 15)
        #expect(tuples("ClimbKey") == [.plookup])
        // poseidong.pil: 12 + 4 + 4 + 3 + 3.
        #expect(identities("PoseidonG") == 26)
        #expect(tuples("Main") == [.permutation, .permutation])
        #expect(program.tupleConstraints.first { $0.namespace == "Main" }?.left.expressions.count == 17)
        #expect(program.intermediates.count { $0.qualifiedName.hasPrefix("Storage.") } == 8)
    }

    @Test func storageAloneLacksGlobalAndSaysWhere() throws {
        // With %N given, storage.pil and its includes parse and declare, but ClimbKey's first use
        // of Global (climb_key.pil line 52, `pol CLK0 = Global.CLK32[0] + ...`) has no target.
        let error = pilError {
            _ = try Program.load(Self.directory.appendingPathComponent("storage.pil"), constants: ["N": 1 << 16])
        }
        let climbKey = Self.directory.appendingPathComponent("climb_key.pil").standardizedFileURL.path
        #expect(error == .undefinedReference("Global.CLK32[0]", at: SourceLocation(file: climbKey, line: 52)))
        let source = String(decoding: try Vectors.data("storage-sm/climb_key.pil"), as: UTF8.self)
        #expect(source.split(separator: "\n", omittingEmptySubsequences: false)[51].hasPrefix("pol CLK0 = Global.CLK32[0]"))
    }

    @Test func storageAloneWithoutNIsAnError() throws {
        #expect(throws: PILError.self) {
            _ = try Program.load(Self.directory.appendingPathComponent("storage.pil"))
        }
    }
}

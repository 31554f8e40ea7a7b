import Foundation
import Goldilocks
import PIL
import Testing
import TestSupport

/// The real climb_key.pil identities (C1–C7 of spec §7) on a small hand-built trace: two climbs
/// laid out by the rule of spec §5.2, then dummy padding blocks. The lookup C8 needs the
/// 3,145,476-row table of §7.2 and is not checked here.
@Suite struct ClimbKeyTraceTests {
    static let n = 32

    /// One 4-row block per climb (rows 4j … 4j+3).
    struct Block {
        var key: [UInt64]
        var level: UInt64
        var bit: UInt64
        var keyIn: [UInt64]
        var keyInChunk: [UInt64]
        var carryLt: [UInt64]
    }

    static func trace() throws -> ColumnData {
        // Climb 1: key (5, 0, 0, 0), level 0 (limb 0), bit 1: limb 0 becomes 11.
        // Climb 2: key (7, 2^40 + 3, 0, 9), level 1 (limb 1), bit 0: limb 1 becomes 2^41 + 6.
        let x: UInt64 = 1 << 40 + 3
        let climbs = [
            (block: Block(key: [5, 0, 0, 0], level: 0, bit: 1, keyIn: [5, 5, 5, 5], keyInChunk: [5, 0, 0, 0], carryLt: [1, 0, 2, 2]),
             climbed: [11, 0, 0, 0] as [UInt64], limb: 0),
            (block: Block(key: [7, x, 0, 9], level: 1, bit: 0, keyIn: [3, 3, x, x], keyInChunk: [3, 0, 16, 0], carryLt: [0, 0, 2, 2]),
             climbed: [7, 2 * x, 0, 9] as [UInt64], limb: 1),
        ]
        var values: [String: [UInt64]] = [:]
        let names = ["key0", "key1", "key2", "key3", "level", "keyIn", "keyInChunk", "result", "bit",
                     "keySel0", "keySel1", "keySel2", "keySel3", "carryLt"]
        for name in names { values["ClimbKey.\(name)"] = Array(repeating: 0, count: n) }
        func set(_ name: String, _ row: Int, _ value: UInt64) { values["ClimbKey.\(name)"]?[row] = value }
        for block in 0..<(n / 4) {
            for clock in 0..<4 {
                let row = 4 * block + clock
                if block < climbs.count {
                    let climb = climbs[block]
                    let key = clock == 3 ? climb.climbed : climb.block.key
                    for k in 0..<4 { set("key\(k)", row, key[k]) }
                    set("level", row, climb.block.level)
                    set("bit", row, climb.block.bit)
                    set("keyIn", row, climb.block.keyIn[clock])
                    set("keyInChunk", row, climb.block.keyInChunk[clock])
                    set("carryLt", row, climb.block.carryLt[clock])
                    if clock == 2 { set("result", row, 1) }
                    if clock == 3 { set("keySel\(climb.limb)", row, 1) }
                } else {
                    // Padding: a dummy climb of the zero key (spec §5.2).
                    if clock > 0 { set("carryLt", row, 2) }
                    if clock == 3 { set("keySel0", row, 1) }
                }
            }
        }
        for k in 0..<32 { values["Global.CLK32[\(k)]"] = (0..<n).map { $0 % 32 == k ? 1 : 0 } }
        let factor: [UInt64] = [1 << 18, 1 << 36, 1 << 54, 1]
        values["ClimbKey.FACTOR"] = (0..<n).map { factor[$0 % 4] }
        return try ColumnData(rowCount: n, columns: values)
    }

    static func checker() throws -> ConstraintChecker {
        let directory = Vectors.url("storage-sm")
        let program = try Program.load(directory.appendingPathComponent("storage_main.test.pil"), searchDirectories: [directory])
        return ConstraintChecker(program: program)
    }

    @Test func climbsAndPaddingSatisfyTheIdentities() throws {
        let failures = try Self.checker().checkIdentities(Self.trace(), namespaces: ["ClimbKey"])
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func aWrongClimbedLimbFailsTheRebuildIdentityOnClockTwo() throws {
        var data = try Self.trace()
        var key0 = try #require(data["ClimbKey.key0"])
        key0[3] = 12  // 2·5 + 1 = 11 expected
        try data.set("ClimbKey.key0", key0)
        let failures = try Self.checker().checkIdentities(data, namespaces: ["ClimbKey"])
        // The key rebuild identity (spec C2) is the one that starts with "keySel0' * (key0' - 2 * key0 - bit)".
        let source = String(decoding: try Vectors.data("storage-sm/climb_key.pil"), as: UTF8.self)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.hasPrefix("keySel0' * (key0' - 2 * key0 - bit)") }) + 1
        #expect(failures.count == 1)
        #expect(failures.first?.location.file.hasSuffix("climb_key.pil") == true)
        #expect(failures.first?.location.line == line)
        #expect(failures.first == .identity(location: try #require(failures.first?.location), row: 2, lhs: 1, rhs: 0))
    }

    @Test func aBrokenKeyInChunkFailsTheAccumulatorIdentity() throws {
        var data = try Self.trace()
        var chunk = try #require(data["ClimbKey.keyInChunk"])
        chunk[6] = 17  // block 1, clock 2: keyIn no longer rebuilds 2^40 + 3
        try data.set("ClimbKey.keyInChunk", chunk)
        let failures = try Self.checker().checkIdentities(data, namespaces: ["ClimbKey"])
        let source = String(decoding: try Vectors.data("storage-sm/climb_key.pil"), as: UTF8.self)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.hasPrefix("keyIn' = (1 - CLK3) * keyIn + FACTOR * keyInChunk'") }) + 1
        #expect(failures.map(\.location.line) == [line])
        #expect(failures.map(\.row) == [5])
    }
}

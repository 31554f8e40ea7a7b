import Foundation

/// Builders for the constant polynomials of the storage PIL files (spec storage-sm §4.1, §5.1,
/// §7.2) for a given N, as ``ColumnData`` columns keyed by qualified name. Everything is built
/// from the spec's formulas and the reference JSON files; nothing is shared with the executors.
public enum ConstantPolynomials {
    /// The Goldilocks prime p = 2^64 − 2^32 + 1.
    static let prime: UInt64 = 0xFFFF_FFFF_0000_0001

    /// The paths of the files the constants are built from.
    public struct Sources: Sendable {
        /// The storage ROM (`storage_sm_rom.json`).
        public var storageROM: URL
        /// The Poseidon parameters with `round_constants` (`poseidon-constants.json`).
        public var poseidonConstants: URL

        /// Creates the source paths.
        public init(storageROM: URL, poseidonConstants: URL) {
            self.storageROM = storageROM
            self.poseidonConstants = poseidonConstants
        }
    }

    /// Every constant column of the namespaces Global, PoseidonG, ClimbKey and Storage (the
    /// namespaces of `storage_main.test.pil`; Main declares none) for `rowCount` rows.
    ///
    /// Global's BYTE, BYTE_2A, BYTE2 and BYTE_FACTOR are not built (no storage identity uses
    /// them, spec §4.1). The ClimbKey table columns are the materialised listing of spec §7.2,
    /// truncated (or repeated) to `rowCount` rows exactly as the reference does; pass
    /// `includeClimbKeyTable: false` to leave them out and test membership with
    /// ``ClimbKeyTable/contains(_:)`` instead.
    public static func storageProgram(
        rowCount: Int, sources: Sources, includeClimbKeyTable: Bool = true
    ) throws -> ColumnData {
        try checkRowCount(rowCount)
        var columns = global(rowCount: rowCount)
        columns.merge(try storage(rowCount: rowCount, rom: StorageROM(contentsOf: sources.storageROM))) { a, _ in a }
        let roundConstants = try PoseidonGConstants.roundConstants(contentsOf: sources.poseidonConstants)
        columns.merge(try PoseidonGConstants.columns(rowCount: rowCount, roundConstants: roundConstants)) { a, _ in a }
        columns.merge(climbKey(rowCount: rowCount, includeTable: includeClimbKeyTable)) { a, _ in a }
        return try ColumnData(rowCount: rowCount, columns: columns)
    }

    /// Global: L1 (1 on row 0), LLAST (1 on row N−1), CLK32[k] (1 iff i mod 32 = k), STEP (i)
    /// and STEP32 (i mod 32).
    public static func global(rowCount n: Int) -> [String: [UInt64]] {
        var columns: [String: [UInt64]] = [:]
        var l1 = [UInt64](repeating: 0, count: n)
        l1[0] = 1
        var llast = [UInt64](repeating: 0, count: n)
        llast[n - 1] = 1
        columns["Global.L1"] = l1
        columns["Global.LLAST"] = llast
        for k in 0..<32 {
            columns["Global.CLK32[\(k)]"] = (0..<n).map { $0 % 32 == k ? 1 : 0 }
        }
        columns["Global.STEP"] = (0..<n).map { UInt64($0) }
        columns["Global.STEP32"] = (0..<n).map { UInt64($0 % 32) }
        return columns
    }

    /// Storage: the ROM repeated cyclically (row i reads line i mod 286): OPERATION (spec §6 E12
    /// bit layout), CONST0 and IN_SIBLING_RKEY as field elements (−1 → p − 1), JMP_ADDRESS, LINE.
    public static func storage(rowCount n: Int, rom: StorageROM) throws -> [String: [UInt64]] {
        let lines = rom.lines
        guard !lines.isEmpty else { throw ConstantBuildError.emptyROM }
        var operation = [UInt64](repeating: 0, count: n)
        var const0 = operation, jmpAddress = operation, line = operation, inSiblingRkey = operation
        for i in 0..<n {
            let r = i % lines.count
            let romLine = lines[r]
            operation[i] = romLine.operation
            const0[i] = fieldElement(romLine.const0)
            jmpAddress[i] = romLine.jmpAddress
            line[i] = UInt64(r)
            inSiblingRkey[i] = fieldElement(romLine.inSiblingRkey)
        }
        return [
            "Storage.OPERATION": operation, "Storage.CONST0": const0, "Storage.JMP_ADDRESS": jmpAddress,
            "Storage.LINE": line, "Storage.IN_SIBLING_RKEY": inSiblingRkey,
        ]
    }

    /// ClimbKey: FACTOR = (2^18, 2^36, 2^54, 1)[i mod 4] and, with `includeTable`, the table columns
    /// T_CLKEYSEL, T_LEVEL, T_CHUNK_VALUE, T_CARRYLT_IN, T_CARRYLT_OUT (spec §7.2).
    public static func climbKey(rowCount n: Int, includeTable: Bool = true) -> [String: [UInt64]] {
        let factors: [UInt64] = [1 << 18, 1 << 36, 1 << 54, 1]
        var columns: [String: [UInt64]] = ["ClimbKey.FACTOR": (0..<n).map { factors[$0 % 4] }]
        guard includeTable else { return columns }
        var table = [[UInt64]](repeating: [UInt64](repeating: 0, count: n), count: 5)
        var row = 0
        while row < n {
            ClimbKeyTable.forEachListedRow { listed in
                guard row < n else { return false }
                table[0][row] = listed.clkeySel
                table[1][row] = listed.level
                table[2][row] = listed.chunk
                table[3][row] = listed.carryLtIn
                table[4][row] = listed.carryLtOut
                row += 1
                return true
            }
        }
        for (k, name) in ClimbKeyTable.columnNames.enumerated() { columns["ClimbKey.\(name)"] = table[k] }
        return columns
    }

    /// A signed ROM value as a canonical field element (negative v → p + v).
    static func fieldElement(_ value: Int64) -> UInt64 {
        value >= 0 ? UInt64(value) : prime - value.magnitude
    }

    static func checkRowCount(_ n: Int) throws(ConstantBuildError) {
        guard n > 0, n % 32 == 0 else { throw .badRowCount(n) }
    }
}

/// What can go wrong building constant polynomials.
public enum ConstantBuildError: Error, Sendable, Equatable, CustomStringConvertible {
    /// N must be a positive multiple of 32 (the CLK32 / ClimbKey cycles).
    case badRowCount(Int)
    /// A file could not be read or is not the JSON expected.
    case unreadableFile(path: String, reason: String)
    /// A ROM line's field has a value outside what the spec allows (§2).
    case badROMField(line: Int, field: String, value: String)
    /// The ROM has no lines.
    case emptyROM
    /// The Poseidon constants file does not hold 360 canonical round constants.
    case badRoundConstants(String)

    /// One line naming the problem.
    public var description: String {
        switch self {
        case let .badRowCount(n): return "N = \(n) is not a positive multiple of 32"
        case let .unreadableFile(path, reason): return "cannot read \(path): \(reason)"
        case let .badROMField(line, field, value): return "storage ROM line \(line): \(field) = \(value) is not allowed"
        case .emptyROM: return "storage ROM has no lines"
        case let .badRoundConstants(reason): return "Poseidon round constants: \(reason)"
        }
    }
}

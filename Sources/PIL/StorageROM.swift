import Foundation

/// The storage ROM (`storage_sm_rom.json`, spec §2) as the Storage constant columns need it: per
/// line the OPERATION bitmask, CONST, jmpAddress and inSIBLING_RKEY. Read with
/// `JSONSerialization`, independently of the StorageSM target's loader.
public struct StorageROM: Sendable, Equatable {
    /// One program line's constant-column values.
    public struct Line: Sendable, Equatable {
        /// Σ 2^k · flag_k over ``StorageROM/operationFlags`` (spec §6 E12).
        public let operation: UInt64
        /// `CONST` (0 if absent).
        public let const0: Int64
        /// `jmpAddress` (0 if absent).
        public let jmpAddress: UInt64
        /// `inSIBLING_RKEY` (0 if absent).
        public let inSiblingRkey: Int64
    }

    /// The ROM JSON keys of the 31 OPERATION flags, bit k = flag k (spec §6 E12 order: hash,
    /// hashType, latchGet, latchSet, climbRkey, climbSiblingRkey, climbBitN, jmpz, jmp, setHashLeft,
    /// setHashRight, setLevel, setNewRoot, setOldRoot, setRkey, setRkeyBit, setSiblingRkey,
    /// setSiblingValueHash, setValueHigh, setValueLow, jmpnz, inFree, inNewRoot, inOldRoot, inRkey,
    /// inRkeyBit, inSiblingValueHash, inValueLow, inValueHigh, inRotlVh, inLevel).
    public static let operationFlags: [String] = [
        "hash", "hashType", "latchGet", "latchSet", "climbRkey", "climbSiblingRkey", "climbBitN", "jmpz", "jmp",
        "setHASH_LEFT", "setHASH_RIGHT", "setLEVEL", "setNEW_ROOT", "setOLD_ROOT", "setRKEY", "setRKEY_BIT",
        "setSIBLING_RKEY", "setSIBLING_VALUE_HASH", "setVALUE_HIGH", "setVALUE_LOW", "jmpnz", "inFREE",
        "inNEW_ROOT", "inOLD_ROOT", "inRKEY", "inRKEY_BIT", "inSIBLING_VALUE_HASH", "inVALUE_LOW", "inVALUE_HIGH",
        "inROTL_VH", "inLEVEL",
    ]

    /// Keys that carry no constant-column value (diagnostics and free-input tags).
    static let ignoredKeys: Set<String> = ["line", "fileName", "lineStr", "jmpAddressLabel", "freeInTag"]

    /// The program lines in order.
    public let lines: [Line]

    /// Reads the ROM file at `url`.
    public init(contentsOf url: URL) throws(ConstantBuildError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadableFile(path: url.path, reason: "\(error)")
        }
        try self.init(json: data, path: url.path)
    }

    /// Parses ROM JSON (`{"program": [...], ...}`). Rejects a line with an unknown key, a flag
    /// other than 0/1, a CONST or inSIBLING_RKEY outside (−2^32, 2^32), or a jmpAddress that is
    /// not a line of the program.
    public init(json data: Data, path: String = "<rom>") throws(ConstantBuildError) {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .unreadableFile(path: path, reason: "not JSON: \(error)")
        }
        guard let top = object as? [String: Any], let program = top["program"] as? [Any] else {
            throw .unreadableFile(path: path, reason: "no \"program\" array")
        }
        let flagBits = Dictionary(uniqueKeysWithValues: Self.operationFlags.enumerated().map { ($1, $0) })
        var lines: [Line] = []
        for (index, entry) in program.enumerated() {
            guard let fields = entry as? [String: Any] else {
                throw .badROMField(line: index, field: "<line>", value: "not an object")
            }
            var operation: UInt64 = 0
            var const0: Int64 = 0, inSiblingRkey: Int64 = 0, jmpAddress: Int64 = 0
            for (key, value) in fields where !Self.ignoredKeys.contains(key) {
                guard let number = Self.integer(value) else {
                    throw .badROMField(line: index, field: key, value: "\(value)")
                }
                if let bit = flagBits[key] {
                    guard number == 0 || number == 1 else { throw .badROMField(line: index, field: key, value: "\(number)") }
                    operation |= UInt64(number) << UInt64(bit)
                    continue
                }
                switch key {
                case "CONST", "inSIBLING_RKEY":
                    guard number > -(1 << 32), number < 1 << 32 else {
                        throw .badROMField(line: index, field: key, value: "\(number)")
                    }
                    if key == "CONST" { const0 = number } else { inSiblingRkey = number }
                case "jmpAddress":
                    guard number >= 0, number < program.count else {
                        throw .badROMField(line: index, field: key, value: "\(number)")
                    }
                    jmpAddress = number
                default:
                    throw .badROMField(line: index, field: key, value: "unknown key")
                }
            }
            lines.append(Line(operation: operation, const0: const0, jmpAddress: UInt64(jmpAddress), inSiblingRkey: inSiblingRkey))
        }
        self.lines = lines
    }

    /// A JSON integer (not a fraction, not a string).
    private static func integer(_ value: Any) -> Int64? {
        guard let number = value as? NSNumber, !(value is String) else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9e15 else { return nil }
        return number.int64Value
    }
}

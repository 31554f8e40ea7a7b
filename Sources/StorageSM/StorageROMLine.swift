/// One instruction of the storage ROM (spec storage-sm §2), every key typed. Absent flags are
/// false; a flag present with value 0 is the same as absent.
public struct StorageROMLine: Sendable, Hashable {
    /// Where the free input of an `inFREE` line comes from.
    public enum FreeInput: Sendable, Hashable {
        /// `freeInTag.op == "functionCall"`: a free-input function.
        case function(StorageFreeInputFunction)
        /// `freeInTag.op == ""`: the hash or climb instruction of the same line.
        case instruction
    }

    /// Source line number in the zkasm file (`line`, diagnostics).
    public var sourceLine: Int
    /// Source zkasm file (`fileName`, diagnostics).
    public var fileName: String
    /// Source text (`lineStr`, diagnostics).
    public var lineStr: String

    /// `CONST`, added to op0 (0 when absent); within (−2^32, 2^32).
    public var constant: Int64 = 0
    /// `inFREE` with its `freeInTag`: nil when the line takes no free input.
    public var freeInput: FreeInput?

    /// `inOLD_ROOT`.
    public var inOldRoot = false
    /// `inNEW_ROOT`.
    public var inNewRoot = false
    /// `inVALUE_LOW`.
    public var inValueLow = false
    /// `inVALUE_HIGH`.
    public var inValueHigh = false
    /// `inSIBLING_VALUE_HASH`.
    public var inSiblingValueHash = false
    /// `inRKEY`.
    public var inRkey = false
    /// `inSIBLING_RKEY`: the coefficient of SIBLING_RKEY in op (the shipped ROM uses 1 and −1).
    public var inSiblingRkey = 0
    /// `inRKEY_BIT` (op0 += RKEY_BIT).
    public var inRkeyBit = false
    /// `inLEVEL` (op0 += LEVEL).
    public var inLevel = false
    /// `inROTL_VH` (op += VALUE_HIGH rotated).
    public var inRotlVh = false

    /// `setHASH_LEFT`.
    public var setHashLeft = false
    /// `setHASH_RIGHT`.
    public var setHashRight = false
    /// `setOLD_ROOT`.
    public var setOldRoot = false
    /// `setNEW_ROOT`.
    public var setNewRoot = false
    /// `setVALUE_LOW`.
    public var setValueLow = false
    /// `setVALUE_HIGH`.
    public var setValueHigh = false
    /// `setSIBLING_VALUE_HASH`.
    public var setSiblingValueHash = false
    /// `setRKEY`.
    public var setRkey = false
    /// `setSIBLING_RKEY`.
    public var setSiblingRkey = false
    /// `setRKEY_BIT` (RKEY_BIT := op0).
    public var setRkeyBit = false
    /// `setLEVEL` (LEVEL := op0).
    public var setLevel = false

    /// `jmp`: unconditional jump.
    public var jmp = false
    /// `jmpz`: jump when op0 = 0.
    public var jmpz = false
    /// `jmpnz`: jump when op0 ≠ 0.
    public var jmpnz = false
    /// `jmpAddress`: the resolved target, present exactly on jump lines.
    public var jmpAddress: Int?
    /// `jmpAddressLabel` (diagnostics).
    public var jmpAddressLabel: String?

    /// `hash`: Poseidon of HASH_LEFT ‖ HASH_RIGHT is the free input.
    public var hash = false
    /// `hashType`: capacity[0] of that hash (false = HASH0, true = HASH1).
    public var hashType = false
    /// `climbRkey`: the free input is RKEY climbed one level.
    public var climbRkey = false
    /// `climbSiblingRkey`: the free input is SIBLING_RKEY climbed one level.
    public var climbSiblingRkey = false
    /// `climbBitN`: the climb injects the negated RKEY_BIT.
    public var climbBitN = false
    /// `latchGet`: end of a GET action.
    public var latchGet = false
    /// `latchSet`: end of a SET action.
    public var latchSet = false

    /// A line with only its diagnostics set (every flag off).
    public init(sourceLine: Int, fileName: String, lineStr: String) {
        self.sourceLine = sourceLine
        self.fileName = fileName
        self.lineStr = lineStr
    }

    /// `inFREE`.
    public var inFree: Bool { freeInput != nil }

    /// The free-input function the line calls, if any.
    public var freeInputFunction: StorageFreeInputFunction? {
        if case let .function(f) = freeInput { return f }
        return nil
    }

    /// The OPERATION constant of this line (spec §6 E12): Σ 2^k·f_k over the 31 flags in the
    /// lookup's bit order (not the column order of §4).
    public var operation: UInt64 {
        let flags: [Bool] = [
            hash, hashType, latchGet, latchSet, climbRkey, climbSiblingRkey, climbBitN, jmpz, jmp,
            setHashLeft, setHashRight, setLevel, setNewRoot, setOldRoot, setRkey, setRkeyBit,
            setSiblingRkey, setSiblingValueHash, setValueHigh, setValueLow, jmpnz, inFree, inNewRoot,
            inOldRoot, inRkey, inRkeyBit, inSiblingValueHash, inValueLow, inValueHigh, inRotlVh, inLevel,
        ]
        var op: UInt64 = 0
        for (k, f) in flags.enumerated() where f { op |= 1 << UInt64(k) }
        return op
    }
}

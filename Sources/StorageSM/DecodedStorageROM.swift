import Goldilocks

/// The storage ROM decoded once for the executor's row loop: per line, a small record of what
/// the row does (``DecodedROMLine``: no strings, no payload enums, nothing reference counted) and
/// the line's constant columns — `inOldRoot` … `jmpAddress`, the columns that depend on the line
/// alone — laid out as they go into a row, so a row copies them in one move.
final class DecodedStorageROM: @unchecked Sendable {
    /// The first column that depends on the line alone (`inOldRoot`).
    static let firstLineColumn = StorageColumn.inOldRoot.rawValue
    /// How many consecutive columns depend on the line alone (`inOldRoot` … `jmpAddress`).
    static let lineColumnCount = StorageColumn.jmpAddress.rawValue + 1 - firstLineColumn

    /// Number of lines.
    let count: Int
    /// The decoded lines, `count` of them. Immutable after `init`, hence `@unchecked Sendable`.
    let lines: UnsafeMutablePointer<DecodedROMLine>
    /// `lineColumnCount` values per line: line `pc`'s constant columns start at `pc · lineColumnCount`.
    let lineColumns: UnsafeMutablePointer<UInt64>

    /// Decodes `rom`.
    init(_ rom: StorageROM) {
        count = rom.count
        lines = .allocate(capacity: count)
        lineColumns = .allocate(capacity: count * Self.lineColumnCount)
        lineColumns.initialize(repeating: 0, count: count * Self.lineColumnCount)
        for (pc, line) in rom.lines.enumerated() {
            (lines + pc).initialize(to: DecodedROMLine(line, pc: pc))
            let columns = lineColumns + pc * Self.lineColumnCount
            for (column, value) in Self.constantColumns(of: line) {
                columns[column.rawValue - Self.firstLineColumn] = value
            }
        }
    }

    deinit {
        lines.deinitialize(count: count)
        lines.deallocate()
        lineColumns.deallocate()
    }

    /// The non-zero values `line` puts in the columns `inOldRoot` … `jmpAddress` of its rows (spec §3.2
    /// steps 2–8: flags, CONST, the `inSIBLING_RKEY` coefficient, the jump).
    static func constantColumns(of line: StorageROMLine) -> [(StorageColumn, UInt64)] {
        let flags: [(Bool, StorageColumn)] = [
            (line.inOldRoot, .inOldRoot), (line.inNewRoot, .inNewRoot), (line.inValueLow, .inValueLow),
            (line.inValueHigh, .inValueHigh), (line.inSiblingValueHash, .inSiblingValueHash), (line.inRkey, .inRkey),
            (line.inRkeyBit, .inRkeyBit), (line.inFree, .inFree), (line.inRotlVh, .inRotlVh), (line.inLevel, .inLevel),
            (line.setHashLeft, .setHashLeft), (line.setHashRight, .setHashRight), (line.setOldRoot, .setOldRoot),
            (line.setNewRoot, .setNewRoot), (line.setValueLow, .setValueLow), (line.setValueHigh, .setValueHigh),
            (line.setSiblingValueHash, .setSiblingValueHash), (line.setRkey, .setRkey),
            (line.setSiblingRkey, .setSiblingRkey), (line.setRkeyBit, .setRkeyBit), (line.setLevel, .setLevel),
            (line.hash, .hash), (line.hash && line.hashType, .hashType), (line.latchSet, .latchSet),
            (line.latchGet, .latchGet), (line.climbRkey, .climbRkey), (line.climbSiblingRkey, .climbSiblingRkey),
            (line.climbBitN, .climbBitN),
        ]
        var values = flags.filter(\.0).map { ($0.1, UInt64(1)) }
        if line.inSiblingRkey != 0 { values.append((.inSiblingRkey, DecodedROMLine.field(Int64(line.inSiblingRkey)).value)) }
        values.append((.const0, DecodedROMLine.field(line.constant).value))
        if let target = line.jmpAddress {
            values.append((.jmpAddress, UInt64(target)))
            if line.jmp {
                values.append((.jmp, 1))
            } else if line.jmpz {
                values.append((.jmpz, 1))
            } else if line.jmpnz {
                values.append((.jmpnz, 1))
            }
        }
        return values
    }
}

/// What one ROM line makes a row do, decoded from a ``StorageROMLine``.
struct DecodedROMLine {
    /// The line's on/off behaviours.
    struct Options: OptionSet {
        let rawValue: UInt32
        static let inFree = Options(rawValue: 1 << 0)
        static let climbRkey = Options(rawValue: 1 << 1)
        static let climbSiblingRkey = Options(rawValue: 1 << 2)
        static let climbBitN = Options(rawValue: 1 << 3)
        static let inRkeyBit = Options(rawValue: 1 << 4)
        static let inLevel = Options(rawValue: 1 << 5)
        static let inSiblingRkey = Options(rawValue: 1 << 6)
        static let inRotlVh = Options(rawValue: 1 << 7)
        static let hash = Options(rawValue: 1 << 8)
        static let hashType = Options(rawValue: 1 << 9)
        static let latchGet = Options(rawValue: 1 << 10)
        static let latchSet = Options(rawValue: 1 << 11)
        static let setRkeyBit = Options(rawValue: 1 << 12)
        static let setLevel = Options(rawValue: 1 << 13)
        /// The padding self-loop (see ``DecodedROMLine/init(_:pc:)``).
        static let paddingLoop = Options(rawValue: 1 << 14)
    }

    /// How the next pc is chosen.
    enum Jump: UInt8 {
        case none, always, ifZero, ifNonZero
    }

    /// The 4-limb registers in column order; register `k`'s limb 0 is column `4 + 4k`.
    static let firstRegisterColumn = StorageColumn.hashLeft0.rawValue
    /// Number of 4-limb registers (hashLeft … siblingRkey).
    static let registerCount = 9

    var options: Options
    /// Registers added to op (bit k: register k).
    var inputRegisters: UInt16
    /// Registers set to op on the next row (bit k: register k).
    var setRegisters: UInt16
    /// CONST as a field element.
    var constant: FieldElement
    /// The `inSIBLING_RKEY` coefficient as a field element.
    var siblingRkeyCoefficient: FieldElement
    /// The free-input function, when the line calls one.
    var freeInputFunction: StorageFreeInputFunction?
    var jump: Jump
    /// The jump target (0 without a jump).
    var jumpTarget: UInt64

    /// `line`, which is ROM line `pc`.
    init(_ line: StorageROMLine, pc: Int) {
        var options: Options = []
        func set(_ flag: Bool, _ option: Options) { if flag { options.insert(option) } }
        set(line.inFree, .inFree)
        set(line.climbRkey, .climbRkey)
        set(line.climbSiblingRkey, .climbSiblingRkey)
        set(line.climbBitN, .climbBitN)
        set(line.inRkeyBit, .inRkeyBit)
        set(line.inLevel, .inLevel)
        set(line.inSiblingRkey != 0, .inSiblingRkey)
        set(line.inRotlVh, .inRotlVh)
        set(line.hash, .hash)
        set(line.hashType, .hashType)
        set(line.latchGet, .latchGet)
        set(line.latchSet, .latchSet)
        set(line.setRkeyBit, .setRkeyBit)
        set(line.setLevel, .setLevel)
        // The padding self-loop (spec §11): `isAlmostEndPolynomial` into a jmpz to itself and
        // nothing else, so its rows before N − 2 are identical when every register is zero.
        set(line.freeInputFunction == .isAlmostEndPolynomial && line.jmpz && line.jmpAddress == pc
                && line.operation == (1 << 21) | (1 << 7) && line.constant == 0 && line.inSiblingRkey == 0,
            .paddingLoop)
        self.options = options

        func mask(_ flags: [Bool]) -> UInt16 {
            var m: UInt16 = 0
            for (k, flag) in flags.enumerated() where flag { m |= 1 << UInt16(k) }
            return m
        }
        // Register order: hashLeft, hashRight, oldRoot, newRoot, valueLow, valueHigh, siblingValueHash, rkey, siblingRkey.
        inputRegisters = mask([false, false, line.inOldRoot, line.inNewRoot, line.inValueLow, line.inValueHigh,
                               line.inSiblingValueHash, line.inRkey, false])
        setRegisters = mask([line.setHashLeft, line.setHashRight, line.setOldRoot, line.setNewRoot, line.setValueLow,
                             line.setValueHigh, line.setSiblingValueHash, line.setRkey, line.setSiblingRkey])
        constant = Self.field(line.constant)
        siblingRkeyCoefficient = Self.field(Int64(line.inSiblingRkey))
        freeInputFunction = line.freeInputFunction
        if let target = line.jmpAddress {
            jump = line.jmp ? .always : line.jmpz ? .ifZero : line.jmpnz ? .ifNonZero : .none
            jumpTarget = UInt64(target)
        } else {
            jump = .none
            jumpTarget = 0
        }
    }

    /// Whether the line has `option`.
    func has(_ option: Options) -> Bool { options.contains(option) }

    /// A constant as a field element (−1 → p − 1); |c| < 2^32 by ROM validation.
    static func field(_ c: Int64) -> FieldElement {
        c >= 0 ? FieldElement(canonical: UInt64(c)) : .zero - FieldElement(canonical: c.magnitude)
    }
}

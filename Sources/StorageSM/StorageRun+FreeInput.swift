import Goldilocks
import SMT

extension StorageRun {
    /// The free-input function `function` at row `i`, staged at `r` (spec §3.3).
    mutating func freeInput(_ function: StorageFreeInputFunction, row i: Int,
                            _ r: StorageRow) throws(StorageExecutorError) -> Digest {
        func fail(_ reason: String) -> StorageExecutorError {
            .freeInput(action: actionIndex, row: i, function: function, reason: reason)
        }
        func flag(_ b: Bool) -> Digest { b ? Digest(canonical: 1, 0, 0, 0) : .zero }
        func single(_ x: Int) -> Digest { Digest(canonical: UInt64(x), 0, 0, 0) }
        let lvl = r[Self.levelColumn]

        // Functions with an answer for an exhausted list.
        switch function {
        case .isValueZero: return flag(action.map { $0.value.isZero } ?? true)
        case .isGet: return flag(action?.kind == .get)
        case .isSetUpdate: return flag(action?.kind == .set(.update))
        case .isSetInsertFound: return flag(action?.kind == .set(.insertFound))
        case .isSetInsertNotFound: return flag(action?.kind == .set(.insertNotFound))
        case .isSetDeleteFound: return flag(action?.kind == .set(.deleteFound))
        case .isSetDeleteNotFound: return flag(action?.kind == .set(.deleteNotFound))
        case .isSetZeroToZero: return flag(action?.kind == .set(.zeroToZero))
        case .isSetDeleteLast: return .zero
        case .GetIsOld0: return flag(action?.isOld0 ?? false)
        case .isAlmostEndPolynomial: return flag(i == rowCount - 2)
        default: break
        }

        guard let a = action, let ctx = context else { throw fail("no current action (list exhausted)") }
        switch function {
        case .GetValueLow: return ValueChunks.low(a.value)
        case .GetValueHigh: return ValueChunks.high(a.value)
        case .GetOldValueLow, .GetOldValueHigh:
            guard a.isSet else { throw fail("the action is a GET") }
            return function == .GetOldValueLow ? ValueChunks.low(a.oldValue) : ValueChunks.high(a.oldValue)
        case .GetSiblingValueLow: return ValueChunks.low(a.insValue)
        case .GetSiblingValueHigh: return ValueChunks.high(a.insValue)
        case .GetRkey: return ctx.rkey
        case .GetSiblingRkey: return ctx.siblingRkey
        case .GetLevel: return single(ctx.level)
        case .GetNextKeyBit:
            guard currentLevel > 0 else { throw fail("no key bit left (current level 0)") }
            currentLevel -= 1
            guard UInt64(currentLevel) == lvl else {
                throw fail("current level \(currentLevel) differs from LEVEL \(lvl)")
            }
            return single(ctx.bits[currentLevel])
        case .GetSiblingHash:
            guard lvl < UInt64(a.siblings.count), lvl < UInt64(ctx.bits.count) else {
                throw fail("LEVEL \(lvl) has no sibling (S = \(a.siblings.count))")
            }
            let level = Int(lvl)
            return a.siblings[level][1 - ctx.bits[level]]
        case .GetTopOfBranch: return flag(lvl > UInt64(a.siblings.count))
        case .GetTopTree: return flag(lvl > 0)
        case .GetSiblingLeftChildHash, .GetSiblingRightChildHash:
            guard a.isSet else { throw fail("the action is a GET") }
            return function == .GetSiblingLeftChildHash ? a.siblingLeftChild : a.siblingRightChild
        default:
            throw fail("not a free-input function of this executor")
        }
    }

    /// The climb of `line` at row `i`, staged at `r` (spec §3.4): the selected register with limb
    /// `level mod 4` replaced by 2·limb + bit, which must stay below p.
    func climb(_ line: DecodedROMLine, row i: Int, _ r: StorageRow) throws(StorageExecutorError) -> StorageClimbKeyRequest {
        let climbRkey = line.has(.climbRkey)
        let name = climbRkey ? "RKEY" : "SIBLING_RKEY"
        let key = Self.register(climbRkey ? 7 : 8, r)
        let rkeyBit = r[Self.rkeyBitColumn]
        guard rkeyBit <= 1 else {
            throw .climb(action: actionIndex, row: i, register: name, reason: "RKEY_BIT is \(rkeyBit), not 0/1")
        }
        let bit = line.has(.climbBitN) ? 1 - rkeyBit : rkeyBit
        let level = r[Self.levelColumn]
        let z = Int(level % 4)
        let limb = key[z].value
        guard limb <= (FieldElement.order >> 1) - bit else {
            throw .climb(action: actionIndex, row: i, register: name,
                         reason: "2·\(limb) + \(bit) is not below p (limb \(z), LEVEL \(level))")
        }
        var result = key
        let climbed = FieldElement(canonical: 2 * limb + bit)
        switch z {
        case 0: result.e0 = climbed
        case 1: result.e1 = climbed
        case 2: result.e2 = climbed
        default: result.e3 = climbed
        }
        return StorageClimbKeyRequest(row: i, key: key, level: Int(level), bit: bit, result: result)
    }
}

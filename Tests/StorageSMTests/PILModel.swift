import Goldilocks
import Poseidon
import StorageSM

/// An independent restatement of the Storage PIL identities (spec §6 E1–E13, E11/E13 checked
/// semantically) evaluated on every row of a trace. Returns the first violation, or nil.
enum PILModel {
    static func f(_ x: UInt64) -> FieldElement { FieldElement(canonical: x) }

    static func firstViolation(_ t: StorageTrace, rom: StorageROM) -> String? {
        let n = t.rowCount
        func reg(_ first: StorageColumn, _ i: Int) -> [FieldElement] {
            (0..<4).map { f(t[StorageColumn(rawValue: first.rawValue + $0)!, i]) }
        }
        let binary: [StorageColumn] = [
            .hash, .hashType, .latchGet, .latchSet, .climbRkey, .climbSiblingRkey, .climbBitN, .jmpz, .jmp,
            .setHashLeft, .setHashRight, .setLevel, .setNewRoot, .setOldRoot, .setRkey, .setRkeyBit, .setSiblingRkey,
            .setSiblingValueHash, .setValueHigh, .setValueLow, .jmpnz, .inFree, .inNewRoot, .inOldRoot, .inRkey,
            .inRkeyBit, .inSiblingValueHash, .inValueLow, .inValueHigh, .inRotlVh, .inLevel,
        ]
        if t[.pc, 0] != 0 || t[.incCounter, 0] != 0 { return "E8/E9 at row 0" }
        for i in 0..<n {
            let j = (i + 1) % n
            // E10, E12: binary flags, and (operation, const0, jmpAddress, pc, inSiblingRkey) is a ROM row.
            var operation: UInt64 = 0
            for (k, c) in binary.enumerated() {
                guard t[c, i] <= 1 else { return "E10 \(c.name) row \(i)" }
                operation |= t[c, i] << UInt64(k)
            }
            let pc = Int(t[.pc, i])
            guard pc < rom.count else { return "E12 pc row \(i)" }
            let line = rom[pc]
            let constant = line.constant >= 0 ? f(UInt64(line.constant)) : .zero - f(line.constant.magnitude)
            let sel = line.inSiblingRkey >= 0 ? f(UInt64(line.inSiblingRkey)) : .zero - f(UInt64(-line.inSiblingRkey))
            guard operation == line.operation, t[.const0, i] == constant.value,
                  t[.jmpAddress, i] == UInt64(line.jmpAddress ?? 0), t[.inSiblingRkey, i] == sel.value
            else { return "E12 ROM lookup row \(i) (pc \(pc))" }
            // Operand.
            var op = [FieldElement](repeating: .zero, count: 4)
            func add(_ selector: StorageColumn, _ register: [FieldElement]) {
                let s = f(t[selector, i])
                for k in 0..<4 { op[k] += s * register[k] }
            }
            add(.inOldRoot, reg(.oldRoot0, i)); add(.inNewRoot, reg(.newRoot0, i))
            add(.inValueLow, reg(.valueLow0, i)); add(.inValueHigh, reg(.valueHigh0, i))
            add(.inSiblingValueHash, reg(.siblingValueHash0, i)); add(.inSiblingRkey, reg(.siblingRkey0, i))
            add(.inRkey, reg(.rkey0, i)); add(.inFree, reg(.free0, i))
            let vh = reg(.valueHigh0, i)
            add(.inRotlVh, [vh[3], vh[0], vh[1], vh[2]])
            op[0] += f(t[.inLevel, i]) * f(t[.level, i]) + f(t[.inRkeyBit, i]) * f(t[.rkeyBit, i]) + f(t[.const0, i])
            // E2, E3, E5: setters.
            let registers: [(StorageColumn, StorageColumn)] = [
                (.setHashLeft, .hashLeft0), (.setHashRight, .hashRight0), (.setOldRoot, .oldRoot0), (.setNewRoot, .newRoot0),
                (.setValueLow, .valueLow0), (.setValueHigh, .valueHigh0), (.setSiblingValueHash, .siblingValueHash0),
                (.setRkey, .rkey0), (.setSiblingRkey, .siblingRkey0),
            ]
            for (set, first) in registers {
                let expected = t[set, i] == 1 ? op : reg(first, i)
                guard reg(first, j) == expected else { return "E2 \(first.name) row \(i)" }
            }
            guard t[.rkeyBit, j] == (t[.setRkeyBit, i] == 1 ? op[0].value : t[.rkeyBit, i]) else { return "E3 row \(i)" }
            guard t[.rkeyBit, i] <= 1 else { return "E4 row \(i)" }
            guard t[.level, j] == (t[.setLevel, i] == 1 ? op[0].value : t[.level, i]) else { return "E5 row \(i)" }
            // E6, E7: zero test and program counter.
            let inv = f(t[.op0inv, i])
            let isZero = op[0].isZero
            guard isZero ? inv.isZero : (op[0] * inv) == .one else { return "E6 row \(i)" }
            let jump = t[.jmp, i] == 1 || (t[.jmpz, i] == 1 && isZero) || (t[.jmpnz, i] == 1 && !isZero)
            guard t[.pc, j] == (jump ? t[.jmpAddress, i] : t[.pc, i] + 1) else { return "E7 row \(i)" }
            // E1: counter.
            let keep = t[.latchSet, i] == 0 && t[.latchGet, i] == 0 && i != 0
            guard t[.incCounter, j] == (keep ? t[.incCounter, i] : 0) + t[.hash, i] else { return "E1 row \(i)" }
            // E11: hash rows hold Poseidon(hashLeft ‖ hashRight; hashType).
            if t[.hash, i] == 1 {
                let l = reg(.hashLeft0, i), r = reg(.hashRight0, i)
                let h = Poseidon.hash(Digest(l[0], l[1], l[2], l[3]), Digest(r[0], r[1], r[2], r[3]),
                                      capacity: Digest(canonical: t[.hashType, i], 0, 0, 0))
                guard op == h.elements else { return "E11 row \(i)" }
            }
            // E13: climb rows hold the climbed key, without wrap.
            if t[.climbRkey, i] + t[.climbSiblingRkey, i] == 1 {
                var key = reg(t[.climbRkey, i] == 1 ? .rkey0 : .siblingRkey0, i)
                let bit = t[.climbBitN, i] == 1 ? 1 - t[.rkeyBit, i] : t[.rkeyBit, i]
                let z = Int(t[.level, i] % 4)
                guard key[z].value <= (FieldElement.order >> 1) - bit else { return "E13 wrap row \(i)" }
                key[z] = f(2 * key[z].value + bit)
                guard op == key else { return "E13 row \(i)" }
            }
        }
        return nil
    }
}

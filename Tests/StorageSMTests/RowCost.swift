import Goldilocks
import SMT
import StorageSM

/// The row cost table of spec §11, an independent statement of what the ROM spends per action.
enum RowCost {
    /// v: extra value-check rows (chunks checked in the order 0, 3, 2, 1, then 4, 7, 6, 5).
    static func valueRotations(_ v: UInt256) -> Int {
        let chunks = (0..<8).map { (v[word: $0 / 2] >> UInt64(32 * ($0 % 2))) & 0xFFFF_FFFF }
        for (rotations, j) in [(0, 0), (1, 3), (2, 2), (3, 1), (5, 4), (6, 7), (7, 6), (8, 5)] where chunks[j] != 0 {
            return rotations
        }
        return -1
    }

    /// r: rotations until a non-zero limb of `d`, limbs in the order 0, 3, 2, 1.
    static func limbRotations(_ d: Digest) -> Int {
        for (rotations, k) in [(0, 0), (1, 3), (2, 2), (3, 1)] where !d[k].isZero { return rotations }
        return -1
    }

    /// Rows of `a` including its latch row.
    static func rows(_ a: SMTAction) -> Int {
        let s = a.siblings.count
        let d = a.key.firstDifferingDepth(from: a.insKey) + 1
        let rkeyDiff: Int = {
            let rk = a.key.removingPathBits(s), sk = a.insKey.removingPathBits(s)
            return limbRotations(Digest(rk.e0 - sk.e0, rk.e1 - sk.e1, rk.e2 - sk.e2, rk.e3 - sk.e3))
        }()
        switch a.kind {
        case .get:
            if !a.value.isZero { return 14 + valueRotations(a.value) + 7 * s }
            return a.isOld0 ? 11 + 7 * s : 19 + rkeyDiff + 7 * s
        case .set(.update): return 20 + valueRotations(a.newValue) + 9 * s
        case .set(.insertNotFound): return 17 + valueRotations(a.newValue) + 9 * s
        case .set(.insertFound): return 32 + valueRotations(a.newValue) + 8 * (d - 1 - s) + 10 * s
        case .set(.deleteFound):
            if s == 0 { return 28 + 8 * (d - 1) }
            let bit = a.key.pathBit(at: s - 1)
            let sibling = a.siblings[s - 1][1 - bit]
            return 38 + limbRotations(sibling) + 8 * (d - 1 - s) + 9 * (s - 1)
        case .set(.deleteNotFound): return s == 0 ? 14 : 25 + 9 * (s - 1)
        case .set(.zeroToZero): return a.isOld0 ? 16 + 7 * s : 24 + rkeyDiff + 7 * s
        }
    }
}

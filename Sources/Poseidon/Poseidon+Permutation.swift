import Goldilocks

// The fast permutation (see `FastConstants` for the constants and `Poseidon+MDS.swift` for the
// linear layer). The state is carried as `Words` (two reduced words per vector) from one full
// round to the next and as split halves (`Lanes12`) through the partial rounds; `s` is only read
// at the start and written at the end. Words are loose representatives (any UInt64 congruent to
// the element); only the caller canonicalises outputs.

extension Poseidon {
    /// Permutes `state` in place. Input words may be any 64-bit representatives; output words
    /// are loose too (apply `FieldElement.canonicalize` before comparing or printing).
    @inlinable
    public static func permute(_ state: inout State) {
        withUnsafeMutablePointer(to: &state) { p in
            p.withMemoryRebound(to: UInt64.self, capacity: 12) { permute(words: $0) }
        }
    }

    /// The permutation on 12 contiguous words.
    @inlinable
    static func permute(words s: UnsafeMutablePointer<UInt64>) {
        let k = FastConstants.shared
        var w = Words(s, adding: k.first)
        for r in 0..<8 {
            if r == 4 { partialRounds(&w, k) }
            fullRound(&w, then: k.afterFull + 12 * r)
        }
        w.store(s)
    }

    /// A full round whose constants are already added: 12 S-boxes, the MDS layer, and the
    /// constants `next` of the following round.
    @inlinable @inline(__always)
    static func fullRound(_ w: inout Words, then next: UnsafeMutablePointer<SIMD2<UInt64>>) {
        // Breadth first — x², then x³ and x⁴, then x⁷ for all 12 words — so that each step is
        // 12 independent multiplications rather than 12 chains of 4 dependent ones.
        @inline(__always) func mul(_ a: UInt64, _ b: UInt64) -> UInt64 { FieldElement.mulLoose(a, b) }
        let x0 = w.p0[0], x1 = w.p0[1], x2 = w.p1[0], x3 = w.p1[1], x4 = w.p2[0], x5 = w.p2[1]
        let x6 = w.p3[0], x7 = w.p3[1], x8 = w.p4[0], x9 = w.p4[1], x10 = w.p5[0], x11 = w.p5[1]
        let y0 = mul(x0, x0), y1 = mul(x1, x1), y2 = mul(x2, x2), y3 = mul(x3, x3)
        let y4 = mul(x4, x4), y5 = mul(x5, x5), y6 = mul(x6, x6), y7 = mul(x7, x7)
        let y8 = mul(x8, x8), y9 = mul(x9, x9), y10 = mul(x10, x10), y11 = mul(x11, x11)
        let t0 = mul(y0, x0), t1 = mul(y1, x1), t2 = mul(y2, x2), t3 = mul(y3, x3)
        let t4 = mul(y4, x4), t5 = mul(y5, x5), t6 = mul(y6, x6), t7 = mul(y7, x7)
        let t8 = mul(y8, x8), t9 = mul(y9, x9), t10 = mul(y10, x10), t11 = mul(y11, x11)
        let q0 = mul(y0, y0), q1 = mul(y1, y1), q2 = mul(y2, y2), q3 = mul(y3, y3)
        let q4 = mul(y4, y4), q5 = mul(y5, y5), q6 = mul(y6, y6), q7 = mul(y7, y7)
        let q8 = mul(y8, y8), q9 = mul(y9, y9), q10 = mul(y10, y10), q11 = mul(y11, y11)
        var v = Lanes12(
            pairs: mul(t0, q0), mul(t1, q1), mul(t2, q2), mul(t3, q3), mul(t4, q4), mul(t5, q5),
            mul(t6, q6), mul(t7, q7), mul(t8, q8), mul(t9, q9), mul(t10, q10), mul(t11, q11))
        mds(&v)
        v.add(next)
        w = Words(reducing: v)
    }

    /// The 22 partial rounds, with the plain MDS matrix on split words.
    ///
    /// Only `s[0]` is reduced each round (it feeds the S-box). The next one is
    /// `M[0][0]·a + Σ_{j≥1} M[0][j]·x[j]` (`M[0][0] = 25`) with `a` the S-box output: the sum
    /// (`rowZeroTail`, plus the next round's constant) is ready before `a`, so the chain from one
    /// S-box to the next is one small multiplication, an add and a reduction, while the MDS
    /// product for words 1…11 runs beside it.
    ///
    /// Words 1…11 stay unreduced. Every row of M sums to at most 264 < 2^8.05, so from halves
    /// `< 2^32` three rounds reach at most `2^32·264^3 < 2^56.2` (and the row-0 tail, 239 times
    /// halves `< 2^48.1`, stays below `2^56.1`); after every third round they are reduced and
    /// split again.
    @inlinable @inline(__always)
    static func partialRounds(_ w: inout Words, _ k: FastConstants) {
        var x = w.halves
        var s0 = w.p0[0]
        @inline(__always) func round(_ r: Int) {
            let rest = rowZeroTail(x) &+ k.afterPartial[r]
            let (restLow, carry) = rest[0].addingReportingOverflow(rest[1] &<< 32)
            let restHigh = (rest[1] &>> 32) &+ (carry ? 1 : 0)
            let a = sbox(s0)
            x.v0 = split(a)
            mds(&x)
            // 25·a + rest as 128 bits (high word < 25 + 2^25 + 1), reduced once.
            let (high, low) = a.multipliedFullWidth(by: 25)
            let (sum, carry2) = low.addingReportingOverflow(restLow)
            s0 = FieldElement.reduce128(hi: high &+ restHigh &+ (carry2 ? 1 : 0), lo: sum)
        }
        for block in 0..<7 {
            round(3 * block)
            round(3 * block + 1)
            round(3 * block + 2)
            renormalize(&x)
        }
        round(21)
        x.add(k.secondHalf)
        x.v0 = split(s0)
        w = Words(reducing: x)
    }

    /// `x^7` in four multiplications.
    @inlinable @inline(__always)
    static func sbox(_ x: UInt64) -> UInt64 {
        let x2 = FieldElement.mulLoose(x, x)
        let x3 = FieldElement.mulLoose(x2, x)
        let x4 = FieldElement.mulLoose(x2, x2)
        return FieldElement.mulLoose(x3, x4)
    }
}

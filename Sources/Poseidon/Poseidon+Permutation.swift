import Goldilocks

// The fast permutation. State words are loose representatives (any UInt64 congruent to the
// element); only the final outputs are canonicalised.

extension Poseidon {
    /// Permutes `state` in place. Input words may be any 64-bit representatives; output words
    /// are loose too (apply `FieldElement.canonicalize` before comparing or printing).
    @inlinable
    public static func permute(_ s: inout State) {
        let k = FastConstants.shared
        for r in 0..<4 { fullRound(&s, constants: k.full + 12 * r) }
        applyInitialMatrix(&s, k.initialMatrix)
        for r in 0..<22 {
            s[0] = sbox(FieldElement.addLoose(s[0], canonical: k.partial[r]))
            sparseRound(&s, corner: k.sparseCorner, row: k.sparseRow + 11 * r, column: k.sparseColumn + 11 * r)
        }
        for r in 4..<8 { fullRound(&s, constants: k.full + 12 * r) }
    }

    /// `x^7` in four multiplications.
    @inlinable @inline(__always)
    static func sbox(_ x: UInt64) -> UInt64 {
        let x2 = FieldElement.mulLoose(x, x)
        let x3 = FieldElement.mulLoose(x2, x)
        let x4 = FieldElement.mulLoose(x2, x2)
        return FieldElement.mulLoose(x3, x4)
    }

    @inlinable @inline(__always)
    static func fullRound(_ s: inout State, constants c: UnsafeMutablePointer<UInt64>) {
        for i in 0..<12 { s[i] = sbox(FieldElement.addLoose(s[i], canonical: c[i])) }
        mds(&s)
    }

    /// The circulant MDS with its small entries (sum of a row = 264 < 2^9): each word is split
    /// into 32-bit halves so both dot products fit in 64 bits, then recombined and reduced once.
    @inlinable @inline(__always)
    static func mds(_ s: inout State) {
        var lo = State(repeating: 0)
        var hi = State(repeating: 0)
        for i in 0..<12 {
            lo[i] = s[i] & 0xFFFF_FFFF
            hi[i] = s[i] &>> 32
        }
        let circulant: InlineArray<12, UInt64> = [17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20]
        var out = State(repeating: 0)
        for i in 0..<12 {
            var sumLo: UInt64 = 0
            var sumHi: UInt64 = 0
            for k in 0..<12 {
                let j = i + k < 12 ? i + k : i + k - 12
                sumLo &+= circulant[k] &* lo[j]
                sumHi &+= circulant[k] &* hi[j]
            }
            if i == 0 {  // the diagonal term (8 on element 0 only)
                sumLo &+= 8 &* lo[0]
                sumHi &+= 8 &* hi[0]
            }
            // value = sumLo + sumHi·2^32 < 2^74
            let (low, carry) = sumLo.addingReportingOverflow(sumHi &<< 32)
            let high = (sumHi &>> 32) &+ (carry ? 1 : 0)
            out[i] = FieldElement.reduce128(hi: high, lo: low)
        }
        s = out
    }

    /// `s[1...11] = D · s[1...11]` with D the dense 11 × 11 block.
    @inlinable @inline(__always)
    static func applyInitialMatrix(_ s: inout State, _ d: UnsafeMutablePointer<UInt64>) {
        var out = s
        for i in 0..<11 {
            var acc = Accumulator()
            for j in 0..<11 { acc.addProduct(d[11 * i + j], s[j + 1]) }
            out[i + 1] = acc.reduced()
        }
        s = out
    }

    /// The sparse matrix `[[x₀₀, ŵᵀ], [y, I]]`: 12 products into s[0], 11 into the others.
    @inlinable @inline(__always)
    static func sparseRound(
        _ s: inout State, corner: UInt64, row: UnsafeMutablePointer<UInt64>, column: UnsafeMutablePointer<UInt64>
    ) {
        let s0 = s[0]
        var acc = Accumulator()
        acc.addProduct(corner, s0)
        for i in 0..<11 { acc.addProduct(row[i], s[i + 1]) }
        for i in 0..<11 {
            let p = FieldElement.canonicalize(FieldElement.mulLoose(column[i], s0))
            s[i + 1] = FieldElement.addLoose(s[i + 1], canonical: p)
        }
        s[0] = acc.reduced()
    }
}

/// A 192-bit sum of 128-bit products, reduced once at the end (delayed reduction).
@usableFromInline
struct Accumulator {
    @usableFromInline var w0: UInt64 = 0
    @usableFromInline var w1: UInt64 = 0
    @usableFromInline var w2: UInt64 = 0

    @inlinable @inline(__always) init() {}

    @inlinable @inline(__always)
    mutating func addProduct(_ a: UInt64, _ b: UInt64) {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        let (s0, c0) = w0.addingReportingOverflow(lo)
        // hi <= 2^64 - 2, so hi + 1 cannot wrap.
        let (s1, c1) = w1.addingReportingOverflow(hi &+ (c0 ? 1 : 0))
        w0 = s0
        w1 = s1
        w2 &+= c1 ? 1 : 0
    }

    /// The sum mod p as a loose value: `2^128 ≡ -2^32`, so it is `reduce(w1·2^64 + w0) - w2·2^32`.
    @inlinable @inline(__always)
    func reduced() -> UInt64 {
        let r = FieldElement.canonicalize(FieldElement.reduce128(hi: w1, lo: w0))
        let t = w2 &<< 32  // w2 <= 12, so t < p
        let (d, borrow) = r.subtractingReportingOverflow(t)
        return borrow ? d &- FieldElement.epsilon : d
    }
}

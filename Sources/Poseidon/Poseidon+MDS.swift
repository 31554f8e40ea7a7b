import Goldilocks

// The MDS layer as a fast cyclic convolution on split words.
//
// `M = circ(c) + diag(8, 0, …, 0)` with `(M·v)[i] = Σ_k c[k]·v[(i + k) mod 12]`, i.e. the cyclic
// convolution `f·v mod z^12 - 1` with `f(z) = Σ_k c[k]·z^(-k)`. Split by CRT:
//
//     z^12 - 1 = (z^6 - 1)(z^6 + 1),   z^6 - 1 = (z^3 - 1)(z^3 + 1)
//
// `v mod z^6 ∓ 1` is `v[j] ± v[j + 6]`, `mod z^3 ∓ 1` likewise, and the way back is
// `y[j] = (Y₁[j] + Y₂[j]) / 2`, `y[j + 6] = (Y₁[j] - Y₂[j]) / 2` (twice). The halvings are folded
// into the three images of `f`, and for this matrix they come out as small integers, almost all
// powers of two:
//
//     f mod z^3 - 1  (/4):  16 + 32z + 16z²
//     f mod z^3 + 1  (/4):  -1 -  8z +  2z²
//     f mod z^6 + 1  (/2):   2 -  4z + 16z² + z³ - z⁴ - z⁵
//
// So the whole product is about a hundred additions and shifts, with no multiplication and no
// division, exact in wrapping 64-bit arithmetic: every step is a ring operation mod 2^64, and each
// output is the true non-negative row sum (`< 2^64`), so it comes out exactly even where
// intermediate terms (differences) wrap below zero. `scripts/check-poseidon-mds.py` re-derives
// the three images and replays the formulas below against `M`; `FastConstants` also checks this
// layer against `M` on unit vectors once at start-up.
//
// Each word is split into its 32-bit halves, held side by side in a two-lane vector (`lo`, `hi`);
// the product is linear, so it runs on both halves at once. A row is then `lo + hi·2^32` with
// `lo, hi < 264·2^32 < 2^41` for halves `< 2^32`, reduced two rows at a time (`reducePair`).

extension Poseidon {
    @usableFromInline typealias Lanes = SIMD2<UInt64>

    /// A word as its (low half, high half): the 32-bit lanes `[lo, hi, 0, 0]` interleaved with
    /// zero, `[lo, 0, hi, 0]`.
    @inlinable @inline(__always)
    static func split(_ w: UInt64) -> Lanes {
        let d = unsafeBitCast(Lanes(w, 0), to: SIMD4<UInt32>.self)
        return unsafeBitCast(SIMD4<UInt32>(d[0], 0, d[1], 0), to: Lanes.self)
    }

    /// Two words `(a, b)` as `(a.lo, a.hi)` and `(b.lo, b.hi)`: the 32-bit lanes
    /// `[a.lo, a.hi, b.lo, b.hi]` interleaved with zero.
    @inlinable @inline(__always)
    static func split(pair p: Lanes) -> (Lanes, Lanes) {
        let d = unsafeBitCast(p, to: SIMD4<UInt32>.self)
        return (unsafeBitCast(SIMD4<UInt32>(d[0], 0, d[1], 0), to: Lanes.self),
                unsafeBitCast(SIMD4<UInt32>(d[2], 0, d[3], 0), to: Lanes.self))
    }

    /// `x = M·x` on split words (see the top of this file): any 64-bit lanes in, the exact row
    /// sums mod 2^64 out.
    @inlinable @inline(__always)
    static func mds(_ x: inout Lanes12) {
        let v0 = x.v0, v1 = x.v1, v2 = x.v2, v3 = x.v3, v4 = x.v4, v5 = x.v5
        let v6 = x.v6, v7 = x.v7, v8 = x.v8, v9 = x.v9, v10 = x.v10, v11 = x.v11
        // v mod z^6 - 1 (a) and z^6 + 1 (b); a mod z^3 - 1 (u) and z^3 + 1 (w).
        let a0 = v0 &+ v6, a1 = v1 &+ v7, a2 = v2 &+ v8, a3 = v3 &+ v9, a4 = v4 &+ v10, a5 = v5 &+ v11
        let b0 = v0 &- v6, b1 = v1 &- v7, b2 = v2 &- v8, b3 = v3 &- v9, b4 = v4 &- v10, b5 = v5 &- v11
        let u0 = a0 &+ a3, u1 = a1 &+ a4, u2 = a2 &+ a5
        let w0 = a0 &- a3, w1 = a1 &- a4, w2 = a2 &- a5
        // (16 + 32z + 16z²)·u mod z^3 - 1 = 16·(u0 + u1 + u2 + u[i-1]).
        let su = u0 &+ u1 &+ u2
        let cu0 = (su &+ u2) &<< 4, cu1 = (su &+ u0) &<< 4, cu2 = (su &+ u1) &<< 4
        // (-1 - 8z + 2z²)·w mod z^3 + 1 (z^3 = -1), negated.
        let nw0 = w0 &+ (w1 &<< 1) &- (w2 &<< 3)
        let nw1 = (w0 &<< 3) &+ w1 &+ (w2 &<< 1)
        let nw2 = (w1 &<< 3) &+ w2 &- (w0 &<< 1)
        // (2 - 4z + 16z² + z³ - z⁴ - z⁵)·b mod z^6 + 1 (z^6 = -1).
        let b0x2 = b0 &<< 1, b1x2 = b1 &<< 1, b2x2 = b2 &<< 1, b3x2 = b3 &<< 1, b4x2 = b4 &<< 1, b5x2 = b5 &<< 1
        let b0x4 = b0 &<< 2, b1x4 = b1 &<< 2, b2x4 = b2 &<< 2, b3x4 = b3 &<< 2, b4x4 = b4 &<< 2, b5x4 = b5 &<< 2
        let b0x16 = b0 &<< 4, b1x16 = b1 &<< 4, b2x16 = b2 &<< 4, b3x16 = b3 &<< 4, b4x16 = b4 &<< 4, b5x16 = b5 &<< 4
        let cq0 = b0x2 &+ b5x4 &- b4x16 &- b3 &+ b2 &+ b1
        let cq1 = b1x2 &- b0x4 &- b5x16 &- b4 &+ b3 &+ b2
        let cq2 = b2x2 &- b1x4 &+ b0x16 &- b5 &+ b4 &+ b3
        let cq3 = b3x2 &- b2x4 &+ b1x16 &+ b0 &+ b5 &+ b4
        let cq4 = b4x2 &- b3x4 &+ b2x16 &+ b1 &- b0 &+ b5
        let cq5 = b5x2 &- b4x4 &+ b3x16 &+ b2 &- b1 &- b0
        // Back to z^6 - 1, then to z^12 - 1.
        let p0 = cu0 &- nw0, p1 = cu1 &- nw1, p2 = cu2 &- nw2
        let p3 = cu0 &+ nw0, p4 = cu1 &+ nw1, p5 = cu2 &+ nw2
        x.v0 = p0 &+ cq0 &+ (v0 &<< 3)  // + the diagonal term 8·v0
        x.v1 = p1 &+ cq1
        x.v2 = p2 &+ cq2
        x.v3 = p3 &+ cq3
        x.v4 = p4 &+ cq4
        x.v5 = p5 &+ cq5
        x.v6 = p0 &- cq0
        x.v7 = p1 &- cq1
        x.v8 = p2 &- cq2
        x.v9 = p3 &- cq3
        x.v10 = p4 &- cq4
        x.v11 = p5 &- cq5
    }

    /// `Σ_{j≥1} M[0][j]·x[j]` (row 0 of M without its diagonal entry) on split words, by the
    /// binary digits of the coefficients `15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20`.
    @inlinable @inline(__always)
    static func rowZeroTail(_ x: Lanes12) -> Lanes {
        let x67 = x.v6 &+ x.v7
        let d0 = x.v1 &+ x.v2 &+ x67 &+ x.v8            // 1: 15, 41, 13, 13, 39
        let d1 = x.v1 &+ x.v4 &+ x.v8 &+ x.v9 &+ x.v10  // 2: 15, 2, 39, 18, 34
        let d2 = x.v1 &+ x.v5 &+ x67 &+ x.v8 &+ x.v11   // 4: 15, 28, 13, 13, 39, 20
        let d3 = x.v1 &+ x.v2 &+ x.v5 &+ x67            // 8: 15, 41, 28, 13, 13
        let d4 = x.v3 &+ x.v5 &+ x.v9 &+ x.v11          // 16: 16, 28, 18, 20
        let d5 = x.v2 &+ x.v8 &+ x.v10                  // 32: 41, 39, 34
        return (d0 &+ (d1 &<< 1)) &+ ((d2 &<< 2) &+ (d3 &<< 3)) &+ ((d4 &<< 4) &+ (d5 &<< 5))
    }

    /// Two rows `lo + hi·2^32` (halves `< 2^63`) reduced to loose words, without carries:
    /// with `hi = h₁·2^32 + h₀`, `lo = l₁·2^32 + l₀` and `2^64 ≡ 2^32 - 1`,
    /// the value is `n + m·2^32` with `m = h₀ + l₁ + h₁ < 2^33`, `n = l₀ - h₁ > -2^31`;
    /// `m = m₁·2^32 + m₀` (`m₁ ≤ 1`) folds once more to `(n - m₁) + (m₀ + m₁)·2^32`, which lies in
    /// `[0, 2^64)` (it is `≥ 0`: `m = 0` forces `h₁ = 0`; `< 2^64`: `m₀ + m₁ < 2^32` when `m₁ = 1`).
    /// As 64-bit lanes, `(m₀ + m₁)·2^32` is `(m + m₁) << 32`.
    @inlinable @inline(__always)
    static func reducePair(_ r0: Lanes, _ r1: Lanes) -> Lanes {
        let low32 = Lanes(repeating: 0xFFFF_FFFF)
        let lo = Lanes(r0[0], r1[0]), hi = Lanes(r0[1], r1[1])
        let h1 = hi &>> 32
        let m = (hi & low32) &+ (lo &>> 32) &+ h1
        let n = (lo & low32) &- h1
        let m1 = m &>> 32
        return ((m &+ m1) &<< 32) &+ n &- m1
    }

    /// Reduces words 1…11 (halves `< 2^63`) and splits them again (halves `< 2^32`); word 0 is
    /// about to be replaced.
    @inlinable @inline(__always)
    static func renormalize(_ x: inout Lanes12) {
        @inline(__always) func resplit(_ a: inout Lanes, _ b: inout Lanes) {
            (a, b) = split(pair: reducePair(a, b))
        }
        resplit(&x.v1, &x.v2)
        resplit(&x.v3, &x.v4)
        resplit(&x.v5, &x.v6)
        resplit(&x.v7, &x.v8)
        resplit(&x.v9, &x.v10)
        var unused = Lanes()
        resplit(&x.v11, &unused)
    }
}

/// The 12 state words, two per vector (`p0 = (s[0], s[1])`, …), reduced (loose).
@usableFromInline
struct Words {
    @usableFromInline var p0, p1, p2, p3, p4, p5: SIMD2<UInt64>

    /// Loads `s` and adds the canonical constants `c`.
    @inlinable @inline(__always)
    init(_ s: UnsafeMutablePointer<UInt64>, adding c: UnsafeMutablePointer<UInt64>) {
        @inline(__always) func pair(_ i: Int) -> SIMD2<UInt64> {
            SIMD2(FieldElement.addLoose(s[i], canonical: c[i]), FieldElement.addLoose(s[i + 1], canonical: c[i + 1]))
        }
        (p0, p1, p2, p3, p4, p5) = (pair(0), pair(2), pair(4), pair(6), pair(8), pair(10))
    }

    /// Reduces 12 split rows (halves `< 2^63`).
    @inlinable @inline(__always)
    init(reducing x: Lanes12) {
        p0 = Poseidon.reducePair(x.v0, x.v1)
        p1 = Poseidon.reducePair(x.v2, x.v3)
        p2 = Poseidon.reducePair(x.v4, x.v5)
        p3 = Poseidon.reducePair(x.v6, x.v7)
        p4 = Poseidon.reducePair(x.v8, x.v9)
        p5 = Poseidon.reducePair(x.v10, x.v11)
    }

    @inlinable @inline(__always)
    func store(_ s: UnsafeMutablePointer<UInt64>) {
        let raw = UnsafeMutableRawPointer(s)
        raw.storeBytes(of: p0, toByteOffset: 0, as: SIMD2<UInt64>.self)
        raw.storeBytes(of: p1, toByteOffset: 16, as: SIMD2<UInt64>.self)
        raw.storeBytes(of: p2, toByteOffset: 32, as: SIMD2<UInt64>.self)
        raw.storeBytes(of: p3, toByteOffset: 48, as: SIMD2<UInt64>.self)
        raw.storeBytes(of: p4, toByteOffset: 64, as: SIMD2<UInt64>.self)
        raw.storeBytes(of: p5, toByteOffset: 80, as: SIMD2<UInt64>.self)
    }

    /// All 12 words split into halves.
    @inlinable @inline(__always)
    var halves: Lanes12 {
        let (v0, v1) = Poseidon.split(pair: p0), (v2, v3) = Poseidon.split(pair: p1)
        let (v4, v5) = Poseidon.split(pair: p2), (v6, v7) = Poseidon.split(pair: p3)
        let (v8, v9) = Poseidon.split(pair: p4), (v10, v11) = Poseidon.split(pair: p5)
        return Lanes12(v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11)
    }
}

/// The 12 state words split into (low, high) halves, or 12 rows of the MDS product in that form.
@usableFromInline
struct Lanes12 {
    @usableFromInline var v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11: SIMD2<UInt64>

    @inlinable @inline(__always)
    init(_ v0: SIMD2<UInt64>, _ v1: SIMD2<UInt64>, _ v2: SIMD2<UInt64>, _ v3: SIMD2<UInt64>,
         _ v4: SIMD2<UInt64>, _ v5: SIMD2<UInt64>, _ v6: SIMD2<UInt64>, _ v7: SIMD2<UInt64>,
         _ v8: SIMD2<UInt64>, _ v9: SIMD2<UInt64>, _ v10: SIMD2<UInt64>, _ v11: SIMD2<UInt64>) {
        (self.v0, self.v1, self.v2, self.v3, self.v4, self.v5) = (v0, v1, v2, v3, v4, v5)
        (self.v6, self.v7, self.v8, self.v9, self.v10, self.v11) = (v6, v7, v8, v9, v10, v11)
    }

    /// Splits 12 words, two at a time.
    @inlinable @inline(__always)
    init(pairs x0: UInt64, _ x1: UInt64, _ x2: UInt64, _ x3: UInt64, _ x4: UInt64, _ x5: UInt64,
         _ x6: UInt64, _ x7: UInt64, _ x8: UInt64, _ x9: UInt64, _ x10: UInt64, _ x11: UInt64) {
        (v0, v1) = Poseidon.split(pair: SIMD2(x0, x1))
        (v2, v3) = Poseidon.split(pair: SIMD2(x2, x3))
        (v4, v5) = Poseidon.split(pair: SIMD2(x4, x5))
        (v6, v7) = Poseidon.split(pair: SIMD2(x6, x7))
        (v8, v9) = Poseidon.split(pair: SIMD2(x8, x9))
        (v10, v11) = Poseidon.split(pair: SIMD2(x10, x11))
    }

    /// Row `i` (for the start-up check in `FastConstants`; not for the hot path).
    subscript(i: Int) -> SIMD2<UInt64> {
        get { [v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11][i] }
        set {
            switch i {
            case 0: v0 = newValue
            case 1: v1 = newValue
            case 2: v2 = newValue
            case 3: v3 = newValue
            case 4: v4 = newValue
            case 5: v5 = newValue
            case 6: v6 = newValue
            case 7: v7 = newValue
            case 8: v8 = newValue
            case 9: v9 = newValue
            case 10: v10 = newValue
            default: v11 = newValue
            }
        }
    }

    /// Adds 12 split constants (halves `< 2^32`).
    @inlinable @inline(__always)
    mutating func add(_ c: UnsafeMutablePointer<SIMD2<UInt64>>) {
        v0 &+= c[0]; v1 &+= c[1]; v2 &+= c[2]; v3 &+= c[3]; v4 &+= c[4]; v5 &+= c[5]
        v6 &+= c[6]; v7 &+= c[7]; v8 &+= c[8]; v9 &+= c[9]; v10 &+= c[10]; v11 &+= c[11]
    }
}

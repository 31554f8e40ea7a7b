import Goldilocks

// The fast permutation (see `FastConstants` for the algebra). It runs on a pointer to the 12
// state words so the loops have no bounds checks; words are loose representatives (any UInt64
// congruent to the element) and only the caller canonicalises outputs.

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
        for r in 0..<4 { fullRound(s, constants: k.full + 12 * r, mds: k.mdsVectors) }
        applyInitialMatrix(s, k.initialMatrix)
        partialRounds(s, k)
        for r in 4..<8 { fullRound(s, constants: k.full + 12 * r, mds: k.mdsVectors) }
    }

    /// The 22 partial rounds with lazy column updates (see `FastConstants.rowColumn`): only the
    /// chain through `s[0]` runs round by round; the contributions of each S-box output to
    /// `s[1...11]` are summed once at the end.
    @inlinable @inline(__always)
    static func partialRounds(_ s: UnsafeMutablePointer<UInt64>, _ k: FastConstants) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 44) { buffer in
            let rowDot = buffer.baseAddress!       // ŵ_r · u, for every round up front
            let outputs = rowDot + 22              // a_r, the S-box outputs
            for r in 0..<22 {
                var acc = Accumulator()
                let row = k.sparseRow + 11 * r
                for i in 0..<11 { acc.addProduct(row[i], s[i + 1]) }
                rowDot[r] = acc.reduced()
            }
            var s0 = s[0]
            for r in 0..<22 {
                let a = sbox(FieldElement.addLoose(s0, canonical: k.partial[r]))
                outputs[r] = a
                var acc = Accumulator()
                acc.addWord(rowDot[r])
                let c = k.rowColumn + r * (r - 1) / 2
                for t in 0..<r { acc.addProduct(c[t], outputs[t]) }
                acc.addProduct(k.sparseCorner, a)
                s0 = acc.reduced()
            }
            s[0] = s0
            for i in 0..<11 {
                var acc = Accumulator()
                acc.addWord(s[i + 1])
                for t in 0..<22 { acc.addProduct(k.sparseColumn[11 * t + i], outputs[t]) }
                s[i + 1] = acc.reduced()
            }
        }
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
    static func fullRound(
        _ s: UnsafeMutablePointer<UInt64>, constants c: UnsafeMutablePointer<UInt64>, mds m: UnsafeMutablePointer<SIMD2<UInt64>>
    ) {
        for i in 0..<12 { s[i] = sbox(FieldElement.addLoose(s[i], canonical: c[i])) }
        mds(s, m)
    }

    /// `lo + hi·2^32` reduced, for `lo, hi < 2^42` (an MDS row).
    @inlinable @inline(__always)
    static func combine(_ lo: UInt64, _ hi: UInt64) -> UInt64 {
        let (low, carry) = lo.addingReportingOverflow(hi &<< 32)
        return FieldElement.reduce128(hi: (hi &>> 32) &+ (carry ? 1 : 0), lo: low)
    }

    /// `s[1...11] = D · s[1...11]` with D the dense 11 × 11 block.
    @inlinable @inline(__always)
    static func applyInitialMatrix(_ s: UnsafeMutablePointer<UInt64>, _ d: UnsafeMutablePointer<UInt64>) {
        var input: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11])
        for i in 0..<11 {
            var acc = Accumulator()
            withUnsafePointer(to: &input) { p in
                p.withMemoryRebound(to: UInt64.self, capacity: 11) { x in
                    for j in 0..<11 { acc.addProduct(d[11 * i + j], x[j]) }
                }
            }
            s[i + 1] = acc.reduced()
        }
    }

    /// The sparse matrix `[[x₀₀, ŵᵀ], [y, I]]`: 12 products into s[0], 11 into the others.
    @inlinable @inline(__always)
    static func sparseRound(
        _ s: UnsafeMutablePointer<UInt64>, corner: UInt64,
        row: UnsafeMutablePointer<UInt64>, column: UnsafeMutablePointer<UInt64>
    ) {
        let s0 = s[0]
        var acc = Accumulator()
        for i in 0..<11 { acc.addProduct(row[i], s[i + 1]) }
        acc.addProduct(corner, s0)  // last: the other products do not wait for s0
        for i in 0..<11 {
            // s[i] + y[i]·s0 as one 128-bit value, reduced once (hi <= 2^64 - 2: no wrap).
            let (hi, lo) = column[i].multipliedFullWidth(by: s0)
            let (sum, carry) = lo.addingReportingOverflow(s[i + 1])
            s[i + 1] = FieldElement.reduce128(hi: hi &+ (carry ? 1 : 0), lo: sum)
        }
        s[0] = acc.reduced()
    }
}

/// A sum of up to 2^60 products of two 64-bit words, reduced once at the end (delayed
/// reduction). The low and high halves of the products are summed in separate 128-bit
/// accumulators so every step is a branch-free add/adc.
@usableFromInline
struct Accumulator {
    @usableFromInline var low: UInt128 = 0
    @usableFromInline var high: UInt128 = 0

    @inlinable @inline(__always) init() {}

    @inlinable @inline(__always)
    mutating func addProduct(_ a: UInt64, _ b: UInt64) {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        low &+= UInt128(lo)
        high &+= UInt128(hi)
    }

    /// Adds a single word.
    @inlinable @inline(__always)
    mutating func addWord(_ a: UInt64) {
        low &+= UInt128(a)
    }

    /// The sum mod p as a loose value. With the sum `w2·2^128 + w1·2^64 + w0` and
    /// `2^128 ≡ -2^32`, it is `reduce(w1·2^64 + w0) - w2·2^32`.
    @inlinable @inline(__always)
    func reduced() -> UInt64 {
        let w0 = UInt64(truncatingIfNeeded: low)
        let (w1, carry) = UInt64(truncatingIfNeeded: low &>> 64).addingReportingOverflow(UInt64(truncatingIfNeeded: high))
        let w2 = UInt64(truncatingIfNeeded: high &>> 64) &+ (carry ? 1 : 0)
        let r = FieldElement.reduce128(hi: w1, lo: w0)
        // t = w2·2^32 < 2^63; on borrow d = r - t + 2^64 >= 2^64 - 2^63 > epsilon.
        let t = w2 &<< 32
        let (d, borrow) = r.subtractingReportingOverflow(t)
        return borrow ? d &- FieldElement.epsilon : d
    }
}

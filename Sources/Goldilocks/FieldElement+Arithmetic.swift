// Field arithmetic on canonical elements, and the raw 64-bit kernels that Poseidon and other hot
// loops use directly on unreduced representatives ("loose" values: any UInt64, congruent mod p).

extension FieldElement {
    /// Maps any 64-bit representative to `[0, p)`: one conditional subtraction suffices since
    /// `2^64 < 2p`.
    @inlinable @inline(__always)
    public static func canonicalize(_ x: UInt64) -> UInt64 {
        x >= order ? x &- order : x
    }

    /// Reduces the 128-bit integer `hi·2^64 + lo` to a loose 64-bit representative.
    ///
    /// With `hi = hh·2^32 + hl`: `2^96 ≡ -1` and `2^64 ≡ 2^32 - 1`, so the value is
    /// `lo - hh + hl·(2^32 - 1)`; each wrap of a 64-bit step is fixed by ±epsilon.
    @inlinable @inline(__always)
    public static func reduce128(hi: UInt64, lo: UInt64) -> UInt64 {
        let hh = hi &>> 32
        let hl = hi & epsilon
        var (t0, borrow) = lo.subtractingReportingOverflow(hh)
        if borrow { t0 = t0 &- epsilon }
        let t1 = hl &* epsilon
        let (r, carry) = t0.addingReportingOverflow(t1)
        return carry ? r &+ epsilon : r
    }

    /// Multiplies two loose representatives; the result is loose.
    @inlinable @inline(__always)
    public static func mulLoose(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        return reduce128(hi: hi, lo: lo)
    }

    /// Adds a canonical `b` to a loose `a`; the result is loose.
    ///
    /// `a + b - 2^64 + epsilon < 2^64` whenever `b < p`, so one correction is enough.
    @inlinable @inline(__always)
    public static func addLoose(_ a: UInt64, canonical b: UInt64) -> UInt64 {
        let (s, carry) = a.addingReportingOverflow(b)
        return carry ? s &+ epsilon : s
    }

    /// Adds two canonical elements.
    @inlinable @inline(__always)
    public static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        FieldElement(canonical: canonicalize(addLoose(a.value, canonical: b.value)))
    }

    /// Subtracts two canonical elements.
    @inlinable @inline(__always)
    public static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        // On borrow the wrapped difference is a - b + 2^64; a - b + p is that minus epsilon.
        let (d, borrow) = a.value.subtractingReportingOverflow(b.value)
        return FieldElement(canonical: borrow ? d &- epsilon : d)
    }

    /// The additive inverse.
    @inlinable @inline(__always)
    public static prefix func - (a: FieldElement) -> FieldElement {
        FieldElement(canonical: a.value == 0 ? 0 : order &- a.value)
    }

    /// Multiplies two canonical elements.
    @inlinable @inline(__always)
    public static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        FieldElement(canonical: canonicalize(mulLoose(a.value, b.value)))
    }

    /// `a = a + b`.
    @inlinable @inline(__always)
    public static func += (a: inout FieldElement, b: FieldElement) { a = a + b }

    /// `a = a - b`.
    @inlinable @inline(__always)
    public static func -= (a: inout FieldElement, b: FieldElement) { a = a - b }

    /// `a = a * b`.
    @inlinable @inline(__always)
    public static func *= (a: inout FieldElement, b: FieldElement) { a = a * b }

    /// `self * self`.
    @inlinable @inline(__always)
    public func squared() -> FieldElement { self * self }

    /// `self^exponent` by square-and-multiply (`0^0 = 1`).
    @inlinable
    public func power(_ exponent: UInt64) -> FieldElement {
        var result = FieldElement.one
        var base = self
        var e = exponent
        while e != 0 {
            if e & 1 == 1 { result *= base }
            base = base.squared()
            e >>= 1
        }
        return result
    }

    /// The multiplicative inverse (Fermat: `x^(p-2)`), or nil for zero.
    @inlinable
    public func inverse() -> FieldElement? {
        isZero ? nil : power(FieldElement.order &- 2)
    }
}

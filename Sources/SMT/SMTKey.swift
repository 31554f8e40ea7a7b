import Goldilocks

/// A state-tree key: four field elements, walked from the root by interleaved low bits.
///
/// ```
///  depth:   0    1    2    3    4    5    6    7   …
///  bit:    k0₀  k1₀  k2₀  k3₀  k0₁  k1₁  k2₁  k3₁  …     (limb d mod 4, bit d div 4)
///  0 → left child, 1 → right child
/// ```
public typealias SMTKey = Digest

/// The hash (id) of a tree node; the empty subtree is ``Digest/zero``.
public typealias NodeHash = Digest

extension Digest {
    /// The path bit at `depth` (0 ..< 256): bit `depth / 4` of limb `depth % 4`.
    @inlinable @inline(__always)
    public func pathBit(at depth: Int) -> Int {
        Int(truncatingIfNeeded: (self[depth & 3].value &>> UInt64(depth &>> 2)) & 1)
    }

    /// `removeKeyBits`: the remaining key of a leaf stored below `depth` consumed path bits.
    @inlinable
    public func removingPathBits(_ depth: Int) -> Digest {
        let f = depth >> 2
        @inline(__always) func shift(_ i: Int) -> UInt64 {
            let n = f + (4 * f + i < depth ? 1 : 0)
            return n >= 64 ? 0 : self[i].value >> UInt64(n)
        }
        return Digest(canonical: shift(0), shift(1), shift(2), shift(3))
    }

    /// `joinKey`: the full key of a leaf whose first `depth` path bits are those of `prefix`
    /// (with the bit at `flippedDepth` inverted, when given) and whose remaining key is `self`.
    @inlinable
    public func joiningPath(of prefix: Digest, depth: Int, flippedDepth: Int = -1) -> Digest {
        var limbs = (self.e0.value, self.e1.value, self.e2.value, self.e3.value)
        @inline(__always) func join(_ remaining: UInt64, _ i: Int) -> UInt64 {
            // Limb i consumed the path bits at depths i, i+4, …: that is its own low bits.
            let consumed = depth > i ? (depth - i + 3) / 4 : 0
            if consumed == 0 { return remaining }
            let mask: UInt64 = consumed >= 64 ? .max : (1 << UInt64(consumed)) - 1
            let high = consumed >= 64 ? 0 : remaining << UInt64(consumed)
            let flip: UInt64 = flippedDepth >= 0 && flippedDepth & 3 == i ? 1 << UInt64(flippedDepth >> 2) : 0
            return high | ((prefix[i].value ^ flip) & mask)
        }
        limbs = (join(limbs.0, 0), join(limbs.1, 1), join(limbs.2, 2), join(limbs.3, 3))
        // The joined limb is the prefix key's own limb bits over a canonical remainder: it is
        // canonical whenever it came from a canonical key; reduce defensively otherwise.
        return Digest(FieldElement(reducing: limbs.0), FieldElement(reducing: limbs.1),
                      FieldElement(reducing: limbs.2), FieldElement(reducing: limbs.3))
    }

    /// The `depth` of the first path bit at which `self` and `other` differ (256 if equal).
    @inlinable
    public func firstDifferingDepth(from other: Digest, startingAt start: Int = 0) -> Int {
        var d = start
        while d < 256 && pathBit(at: d) == other.pathBit(at: d) { d += 1 }
        return d
    }
}

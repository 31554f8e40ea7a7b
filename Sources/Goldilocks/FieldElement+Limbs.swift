// The zkEVM's splits of a 256-bit value into field elements (spec state-tree §3.1):
// scalar2fea (8 little-endian 32-bit limbs) and its inverse fea2scalar.

/// Eight field elements: a Poseidon rate block, or a 256-bit value as 8 × 32-bit limbs.
public typealias FieldElements8 = InlineArray<8, FieldElement>

extension UInt256 {
    /// `scalar2fea`: limb k holds bits `32k ..< 32k + 32` (little-endian), each `< 2^32`.
    @inlinable
    public var u32Limbs: FieldElements8 {
        let w = words
        return [
            FieldElement(canonical: w.0 & 0xFFFF_FFFF), FieldElement(canonical: w.0 >> 32),
            FieldElement(canonical: w.1 & 0xFFFF_FFFF), FieldElement(canonical: w.1 >> 32),
            FieldElement(canonical: w.2 & 0xFFFF_FFFF), FieldElement(canonical: w.2 >> 32),
            FieldElement(canonical: w.3 & 0xFFFF_FFFF), FieldElement(canonical: w.3 >> 32),
        ]
    }

    /// `fea2scalar`: `Σ limbs[k]·2^(32k)`; every limb must be `< 2^32` (a wider limb would alias
    /// another value, so it is rejected rather than added shifted).
    public init(u32Limbs limbs: FieldElements8) throws(ConversionError) {
        for k in 0..<8 where limbs[k].value > 0xFFFF_FFFF {
            throw .limbNotU32(index: k, value: limbs[k].value)
        }
        self.init(limbs[0].value | limbs[1].value << 32,
                  limbs[2].value | limbs[3].value << 32,
                  limbs[4].value | limbs[5].value << 32,
                  limbs[6].value | limbs[7].value << 32)
    }

    /// `fea2scalar` on an array of exactly 8 elements.
    public init(u32Limbs limbs: [FieldElement]) throws(ConversionError) {
        guard limbs.count == 8 else { throw .wrongCount(expected: 8, found: limbs.count) }
        try self.init(u32Limbs: FieldElements8 { limbs[$0] })
    }
}

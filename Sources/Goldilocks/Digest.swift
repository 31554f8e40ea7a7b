/// Four field elements: a Poseidon output, used as node hash, state root and tree key.
///
/// ```
///  limb:        0          1          2          3
///  scalar:  bits 0-63 | 64-127  | 128-191 | 192-255     (h4toScalar)
///  text:    "0x" + hex(limb 3) hex(limb 2) hex(limb 1) hex(limb 0)   (h4toString)
/// ```
@frozen
public struct Digest: Sendable, Hashable {
    /// Limb 0 (least significant in the scalar form).
    public var e0: FieldElement
    /// Limb 1.
    public var e1: FieldElement
    /// Limb 2.
    public var e2: FieldElement
    /// Limb 3 (most significant in the scalar form).
    public var e3: FieldElement

    /// Builds a digest from its four limbs, limb 0 first.
    @inlinable
    public init(_ e0: FieldElement, _ e1: FieldElement, _ e2: FieldElement, _ e3: FieldElement) {
        self.e0 = e0; self.e1 = e1; self.e2 = e2; self.e3 = e3
    }

    /// Builds a digest from four raw limbs the caller guarantees are canonical.
    @inlinable
    public init(canonical l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.init(FieldElement(canonical: l0), FieldElement(canonical: l1),
                  FieldElement(canonical: l2), FieldElement(canonical: l3))
    }

    /// `[0, 0, 0, 0]`: the empty tree's root and the empty subtree.
    public static let zero = Digest(.zero, .zero, .zero, .zero)

    /// Whether all four limbs are zero.
    @inlinable public var isZero: Bool { (e0.value | e1.value | e2.value | e3.value) == 0 }

    /// Limb `index` (0...3).
    @inlinable
    public subscript(index: Int) -> FieldElement {
        get {
            switch index {
            case 0: return e0
            case 1: return e1
            case 2: return e2
            default: return e3
            }
        }
        set {
            switch index {
            case 0: e0 = newValue
            case 1: e1 = newValue
            case 2: e2 = newValue
            default: e3 = newValue
            }
        }
    }

    /// The limbs as an array, limb 0 first.
    public var elements: [FieldElement] { [e0, e1, e2, e3] }
}

extension Digest {
    /// `h4toScalar`: `e0 + e1·2^64 + e2·2^128 + e3·2^192`.
    @inlinable
    public var scalar: UInt256 { UInt256(e0.value, e1.value, e2.value, e3.value) }

    /// `scalar2h4`: splits a 256-bit integer into four 64-bit limbs, each of which must be a
    /// canonical field element (no silent reduction).
    public init(scalar: UInt256) throws(ConversionError) {
        var limbs = [FieldElement]()
        for i in 0..<4 {
            guard let element = FieldElement(scalar[word: i]) else {
                throw .limbNotCanonical(index: i, value: scalar[word: i])
            }
            limbs.append(element)
        }
        self.init(limbs[0], limbs[1], limbs[2], limbs[3])
    }

    /// Builds a digest from exactly four canonical limbs.
    public init(elements: [FieldElement]) throws(ConversionError) {
        guard elements.count == 4 else { throw .wrongCount(expected: 4, found: elements.count) }
        self.init(elements[0], elements[1], elements[2], elements[3])
    }

    /// `h4toString`: `0x` + 64 lowercase hex digits, limb 3 first.
    public var hexString: String { scalar.hexString }

    /// `fea2string`: the 64 hex digits of ``hexString`` without the prefix (the prover's DB and
    /// gRPC form).
    public var unprefixedHex: String { scalar.unprefixedHex }

    /// `stringToH4`: exactly `0x` + 64 hex digits, limb 3 first; every limb must be canonical.
    public init(hexString text: String) throws(ConversionError) {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { throw .missingHexPrefix }
        let digits = text.dropFirst(2)
        guard digits.count == 64 else { throw .wrongDigitCount(expected: 64, found: digits.count) }
        try self.init(scalar: UInt256(hex: digits))
    }
}

extension Digest: CustomStringConvertible {
    /// The ``hexString`` form.
    public var description: String { hexString }
}

import Goldilocks

/// The Poseidon hash of the Polygon zkEVM (see ``PoseidonParameters`` for the instance).
///
/// ```swift
/// let h = Poseidon.hash(input, capacity: .zero)   // 8 + 4 elements in, 4 out
/// ```
/// All entry points are allocation-free; the permutation runs on a 12-word stack state.
public enum Poseidon {
    /// The 12-element state the permutation acts on: `[in0 … in7 | cap0 … cap3]`.
    public typealias State = InlineArray<12, UInt64>

    /// `H(in8; cap4)`: the first four elements of the permuted state `[input | capacity]`.
    @inlinable
    public static func hash(_ input: FieldElements8, capacity: Digest = .zero) -> Digest {
        var s: State = [
            input[0].value, input[1].value, input[2].value, input[3].value,
            input[4].value, input[5].value, input[6].value, input[7].value,
            capacity.e0.value, capacity.e1.value, capacity.e2.value, capacity.e3.value,
        ]
        permute(&s)
        return digest(of: s)
    }

    /// `H(left ‖ right; capacity)`: the shape of every tree node (branch: children; leaf:
    /// remaining key and value hash).
    @inlinable
    public static func hash(_ left: Digest, _ right: Digest, capacity: Digest = .zero) -> Digest {
        var s: State = [
            left.e0.value, left.e1.value, left.e2.value, left.e3.value,
            right.e0.value, right.e1.value, right.e2.value, right.e3.value,
            capacity.e0.value, capacity.e1.value, capacity.e2.value, capacity.e3.value,
        ]
        permute(&s)
        return digest(of: s)
    }

    /// The hash of a 256-bit value as it is stored in the tree: `H(scalar2fea(v); 0)`.
    @inlinable
    public static func hashValue(_ value: UInt256) -> Digest {
        hash(value.u32Limbs)
    }

    /// The full permutation on canonical elements (all 12 outputs); the state must have 12.
    public static func permutation(_ state: [FieldElement]) throws(ConversionError) -> [FieldElement] {
        guard state.count == 12 else { throw .wrongCount(expected: 12, found: state.count) }
        var s = State { state[$0].value }
        permute(&s)
        return (0..<12).map { FieldElement(canonical: FieldElement.canonicalize(s[$0])) }
    }

    @inlinable @inline(__always)
    static func digest(of s: State) -> Digest {
        Digest(canonical: FieldElement.canonicalize(s[0]), FieldElement.canonicalize(s[1]),
               FieldElement.canonicalize(s[2]), FieldElement.canonicalize(s[3]))
    }
}

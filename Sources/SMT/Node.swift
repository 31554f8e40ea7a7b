import Goldilocks
import Poseidon

/// A stored node of the state tree.
///
/// ```
///  preimage (12 elements)           id
///  branch: left(4) right(4) 0 0 0 0   H(left ‖ right; 0)
///  leaf:   rkey(4) vhash(4) 1 0 0 0   H(rkey ‖ vhash; [1,0,0,0])
/// ```
/// Values live apart, under their value hash (`H(scalar2fea(v); 0)`).
@frozen
public enum Node: Sendable, Hashable {
    /// An inner node; either child may be the empty subtree (zero).
    case branch(left: NodeHash, right: NodeHash)
    /// A leaf: the key bits left after its depth, and the hash of its value.
    case leaf(remainingKey: Digest, valueHash: NodeHash)

    /// The capacity used to hash a leaf.
    public static let leafCapacity = Digest(canonical: 1, 0, 0, 0)

    /// The node's id.
    @inlinable
    public var hash: NodeHash {
        switch self {
        case let .branch(l, r): return Poseidon.hash(l, r)
        case let .leaf(k, v): return Poseidon.hash(k, v, capacity: Node.leafCapacity)
        }
    }

    /// The 12-element preimage as the references store it (capacity included).
    public var preimage: [FieldElement] {
        switch self {
        case let .branch(l, r): return l.elements + r.elements + Digest.zero.elements
        case let .leaf(k, v): return k.elements + v.elements + Node.leafCapacity.elements
        }
    }

    /// Reads a 12-element preimage: element 8 == 1 marks a leaf, 0 a branch.
    public init(preimage e: [FieldElement]) throws(SMTError) {
        guard e.count == 12 else { throw .invalidNode("expected 12 elements, found \(e.count)") }
        let a = Digest(e[0], e[1], e[2], e[3]), b = Digest(e[4], e[5], e[6], e[7])
        switch (e[8].value, e[9].value, e[10].value, e[11].value) {
        case (0, 0, 0, 0): self = .branch(left: a, right: b)
        case (1, 0, 0, 0): self = .leaf(remainingKey: a, valueHash: b)
        default: throw .invalidNode("capacity must be [0,0,0,0] (branch) or [1,0,0,0] (leaf)")
        }
    }
}

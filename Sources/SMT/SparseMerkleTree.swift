import Goldilocks
import Poseidon

/// Polygon's binary sparse Merkle tree over a ``NodeStore`` (spec state-tree §4–§7).
///
/// ```
///                 root = H(L ‖ R; 0)
///                /                  \
///       H(l ‖ r; 0)                  leaf: H(rkey ‖ H(value; 0); [1,0,0,0])
///        /       \
///     leaf        0  (empty subtree)
/// ```
/// Compact: a leaf sits at the shallowest depth where its key prefix is unique, so the root
/// depends only on the set of (key, value) pairs. The tree is a value holding its store; it
/// never knows which store it has. Every node it hashes is written to the store.
public struct SparseMerkleTree<Store: NodeStore>: Sendable {
    /// Where nodes are read and written.
    public let store: Store

    /// A tree over `store`.
    public init(store: Store) {
        self.store = store
    }

    /// The root of the empty tree.
    public static var emptyRoot: NodeHash { .zero }
}

extension SparseMerkleTree where Store == MemoryNodeStore {
    /// A tree over a new in-memory store.
    public init() {
        self.init(store: MemoryNodeStore())
    }
}

/// The three hashes of the tree (spec §6.2): value, leaf, branch.
public enum TreeHash {
    /// `Hv(v) = H(scalar2fea(v); 0)`.
    @inlinable @inline(__always)
    public static func value(_ v: UInt256) -> NodeHash { Poseidon.hashValue(v) }

    /// `Hl(rkey, vhash) = H(rkey ‖ vhash; [1,0,0,0])`.
    @inlinable @inline(__always)
    public static func leaf(_ remainingKey: Digest, _ valueHash: NodeHash) -> NodeHash {
        Poseidon.hash(remainingKey, valueHash, capacity: Node.leafCapacity)
    }

    /// `Hb(left, right) = H(left ‖ right; 0)`.
    @inlinable @inline(__always)
    public static func branch(_ left: NodeHash, _ right: NodeHash) -> NodeHash {
        Poseidon.hash(left, right)
    }
}

/// A branch's two children, as a walk records them (the 12-element sibling of the references
/// without its zero capacity).
@frozen
public struct Branch: Sendable, Hashable {
    /// The left child (path bit 0).
    public var left: NodeHash
    /// The right child (path bit 1).
    public var right: NodeHash

    /// A branch with these children.
    @inlinable public init(left: NodeHash, right: NodeHash) {
        self.left = left
        self.right = right
    }

    /// The child on `side` (0 left, 1 right).
    @inlinable
    public subscript(side: Int) -> NodeHash {
        get { side == 0 ? left : right }
        set { if side == 0 { left = newValue } else { right = newValue } }
    }

    /// The 12-element preimage (children then a zero capacity).
    public var preimage: [FieldElement] { left.elements + right.elements + Digest.zero.elements }
}

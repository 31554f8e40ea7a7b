import Goldilocks
import SMT

/// A Poseidon hash the tree already knows: `result = Poseidon(left ‖ right; (hashType, 0, 0, 0))`,
/// read from the tree's store (a node's preimage under its id) instead of being recomputed.
public struct KnownHash: Sendable, Equatable {
    /// The first 4 input elements.
    public var left: Digest
    /// The last 4 input elements.
    public var right: Digest
    /// Capacity element 0: 0 for a branch or value hash, 1 for a leaf.
    public var hashType: UInt64
    /// The hash.
    public var result: Digest

    /// A known hash.
    public init(left: Digest, right: Digest, hashType: UInt64, result: Digest) {
        self.left = left
        self.right = right
        self.hashType = hashType
        self.result = result
    }
}

/// Collects the hashes the storage ROM computes for an action from the tree's store: every node
/// on the key's path under the old and the new root (branches, the leaf met and its value), and
/// the off-path child of the deepest branch (the other leaf of insertFound / deleteFound, the
/// sibling branch of deleteNotFound). These are exactly the nodes the ROM rebuilds; reading them
/// costs no hashing. A hash the ROM needs that is not listed is computed by the executor, and
/// every listed hash is checked again when the PoseidonG trace is built.
enum KnownHashCollector {
    /// The hashes on `key`'s path under `root` in `store`, appended to `hashes`.
    static func collect<Store: NodeStore>(root: NodeHash, key: SMTKey, store: Store,
                                          into hashes: inout [KnownHash]) throws(SMTError) {
        var id = root
        var depth = 0
        var lastBranch: (left: NodeHash, right: NodeHash)?
        while !id.isZero, depth <= 256 {
            guard let node = try store.node(id) else { return }
            switch node {
            case let .branch(left, right):
                hashes.append(KnownHash(left: left, right: right, hashType: 0, result: id))
                lastBranch = (left, right)
                id = key.pathBit(at: depth) == 0 ? left : right
                depth += 1
            case let .leaf(remainingKey, valueHash):
                hashes.append(KnownHash(left: remainingKey, right: valueHash, hashType: 1, result: id))
                try appendValue(valueHash, store: store, into: &hashes)
                id = .zero
            }
        }
        // The off-path child of the deepest branch: a leaf (its value too) or a branch.
        if let (left, right) = lastBranch {
            let other = key.pathBit(at: depth - 1) == 0 ? right : left
            if !other.isZero, let node = try store.node(other) {
                switch node {
                case let .branch(l, r):
                    hashes.append(KnownHash(left: l, right: r, hashType: 0, result: other))
                case let .leaf(remainingKey, valueHash):
                    hashes.append(KnownHash(left: remainingKey, right: valueHash, hashType: 1, result: other))
                    try appendValue(valueHash, store: store, into: &hashes)
                }
            }
        }
    }

    /// The value hash: HASH0 of the value's eight 32-bit chunks.
    private static func appendValue<Store: NodeStore>(_ valueHash: NodeHash, store: Store,
                                                      into hashes: inout [KnownHash]) throws(SMTError) {
        guard let value = try store.value(valueHash) else { return }
        hashes.append(KnownHash(left: ValueChunks.low(value), right: ValueChunks.high(value), hashType: 0, result: valueHash))
    }
}

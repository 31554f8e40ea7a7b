import Goldilocks

/// The result of a GET (spec §5).
public struct GetResult: Sendable, Equatable {
    /// The root read.
    public var root: NodeHash
    /// The key read.
    public var key: SMTKey
    /// The value under `key`, 0 when absent.
    public var value: UInt256
    /// The branches on the path, root first (the terminal leaf excluded).
    public var siblings: [Branch]
    /// The other leaf the walk ended at, when it ended at a leaf with a different key.
    public var insKey: SMTKey?
    /// The value of that other leaf.
    public var insValue: UInt256?
    /// False only when the walk ended at a leaf of another key.
    public var isOld0: Bool
    /// Poseidon hashes a verifier needs to check this read.
    public var proofHashCounter: Int
}

/// Where a descent from a root ended.
@usableFromInline
struct Descent {
    /// The branches on the path, root first.
    var siblings: [Branch] = []
    /// The leaf the walk ended at, if any: its full key, remaining key, value hash and value.
    var leaf: (key: SMTKey, remainingKey: Digest, valueHash: NodeHash, value: UInt256)?
}

extension SparseMerkleTree {
    /// Reads `key` under `root`.
    public func get(root: NodeHash, key: SMTKey) throws(SMTError) -> GetResult {
        let walk = try descend(root: root, key: key)
        var result = GetResult(root: root, key: key, value: .zero, siblings: walk.siblings,
                               insKey: nil, insValue: nil, isOld0: true, proofHashCounter: 0)
        if let leaf = walk.leaf {
            if leaf.key == key {
                result.value = leaf.value
            } else {
                result.insKey = leaf.key
                result.insValue = leaf.value
                result.isOld0 = false
            }
        }
        if !root.isZero {
            result.proofHashCounter = walk.siblings.count + (!result.value.isZero || !result.isOld0 ? 2 : 0)
        }
        return result
    }

    /// Walks from `root` along `key`'s path to an empty slot or a leaf.
    @usableFromInline
    func descend(root: NodeHash, key: SMTKey) throws(SMTError) -> Descent {
        var walk = Descent()
        walk.siblings.reserveCapacity(64)
        var r = root
        var parent = NodeLocation.unknown
        var side = 0
        while !r.isZero {
            guard let (node, location) = try store.node(r, childOf: parent, side: side) else { throw .nodeNotFound(r) }
            switch node {
            case let .branch(left, right):
                let depth = walk.siblings.count
                walk.siblings.append(Branch(left: left, right: right))
                side = key.pathBit(at: depth)
                r = side == 0 ? left : right
                parent = location
            case let .leaf(remainingKey, valueHash):
                let fullKey = remainingKey.joiningPath(of: key, depth: walk.siblings.count)
                guard let value = try store.value(valueHash, ofLeaf: location) else { throw .valueNotFound(valueHash) }
                walk.leaf = (fullKey, remainingKey, valueHash, value)
                return walk
            }
        }
        return walk
    }
}

import Goldilocks

/// Which case a SET took (spec §6.2).
public enum SetMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// A leaf with the key existed and gets the new (non-zero) value.
    case update
    /// Another leaf sat where the key goes: both are pushed down under new branches.
    case insertFound
    /// The key goes into an empty slot.
    case insertNotFound
    /// The key's leaf is deleted and its sibling leaf is pulled up.
    case deleteFound
    /// The key's leaf is deleted and nothing moves: its sibling is a branch, or it was the
    /// only leaf (once called deleteLast).
    case deleteNotFound
    /// Writing 0 to an absent key: nothing changes.
    case zeroToZero
}

/// The result of a SET (spec §6), field for field as the references return it.
public struct SetResult: Sendable, Equatable {
    /// The root before.
    public var oldRoot: NodeHash
    /// The root after.
    public var newRoot: NodeHash
    /// The key written.
    public var key: SMTKey
    /// The branches on the new path, root first, after the update.
    public var siblings: [Branch]
    /// The other leaf involved (insertFound: the leaf pushed down; deleteFound: the leaf pulled
    /// up; zeroToZero: the leaf found in the key's place).
    public var insKey: SMTKey?
    /// That leaf's value.
    public var insValue: UInt256?
    /// False when `insKey` is set.
    public var isOld0: Bool
    /// The key's value before (0 when absent).
    public var oldValue: UInt256
    /// The key's value after.
    public var newValue: UInt256
    /// The case taken.
    public var mode: SetMode
    /// Poseidon hashes a verifier needs to check this transition.
    public var proofHashCounter: Int
    /// deleteNotFound with a branch sibling: that sibling's left child.
    public var siblingLeftChild: NodeHash?
    /// deleteNotFound with a branch sibling: that sibling's right child.
    public var siblingRightChild: NodeHash?
}

extension SparseMerkleTree {
    /// Writes `value` under `key` (0 deletes) starting from `oldRoot`; every new node is
    /// written to the store in one batch.
    public func set(root oldRoot: NodeHash, key: SMTKey, value: UInt256) throws(SMTError) -> SetResult {
        var walk = try descend(root: oldRoot, key: key)
        var siblings = walk.siblings
        walk.siblings = []  // sole owner of the buffer: no copy when the path is edited
        var level = siblings.count - 1
        var batch = NodeBatch()
        batch.nodes.reserveCapacity(siblings.count + 8)
        batch.values.reserveCapacity(1)
        var result = SetResult(oldRoot: oldRoot, newRoot: oldRoot, key: key, siblings: [], insKey: nil, insValue: nil,
                               isOld0: true, oldValue: .zero, newValue: value, mode: .zeroToZero,
                               proofHashCounter: oldRoot.isZero ? 0 : level + 1 + (walk.leaf != nil ? 2 : 0))

        func saveLeaf(_ remainingKey: Digest, _ valueHash: NodeHash) -> NodeHash {
            let h = TreeHash.leaf(remainingKey, valueHash)
            batch.nodes.append((h, .leaf(remainingKey: remainingKey, valueHash: valueHash)))
            return h
        }
        func saveBranch(_ b: Branch) -> NodeHash {
            let h = TreeHash.branch(b.left, b.right)
            batch.nodes.append((h, .branch(left: b.left, right: b.right)))
            return h
        }
        func saveValue(_ v: UInt256) -> NodeHash {
            let h = TreeHash.value(v)
            batch.values.append((h, v))
            return h
        }

        var terminal = NodeHash.zero
        if !value.isZero {
            if let leaf = walk.leaf, leaf.key == key {
                result.mode = .update
                result.oldValue = leaf.value
                terminal = saveLeaf(leaf.remainingKey, saveValue(value))
                result.proofHashCounter += 2
            } else if let leaf = walk.leaf {
                result.mode = .insertFound
                result.insKey = leaf.key
                result.insValue = leaf.value
                result.isOld0 = false
                let split = key.firstDifferingDepth(from: leaf.key, startingAt: level + 1)
                let oldLeaf = saveLeaf(leaf.key.removingPathBits(split + 1), leaf.valueHash)
                let newLeaf = saveLeaf(key.removingPathBits(split + 1), saveValue(value))
                var node = key.pathBit(at: split) == 0
                    ? saveBranch(Branch(left: newLeaf, right: oldLeaf))
                    : saveBranch(Branch(left: oldLeaf, right: newLeaf))
                var depth = split - 1
                while depth > level {
                    node = key.pathBit(at: depth) == 0
                        ? saveBranch(Branch(left: node, right: .zero))
                        : saveBranch(Branch(left: .zero, right: node))
                    depth -= 1
                }
                terminal = node
                result.proofHashCounter += 4 + (split - (level + 1))
            } else {
                result.mode = .insertNotFound
                terminal = saveLeaf(key.removingPathBits(level + 1), saveValue(value))
                result.proofHashCounter += 2
            }
        } else if let leaf = walk.leaf, leaf.key == key {
            result.oldValue = leaf.value
            if level >= 0 {
                let side = key.pathBit(at: level)
                let sibling = siblings[level][1 - side]
                siblings[level][side] = .zero
                let siblingNode = sibling.isZero ? nil : try store.existingNode(sibling)
                if case let .leaf(siblingRemainingKey, siblingValueHash) = siblingNode {
                    result.mode = .deleteFound
                    let siblingKey = siblingRemainingKey.joiningPath(of: key, depth: level + 1, flippedDepth: level)
                    result.insKey = siblingKey
                    result.insValue = try store.existingValue(siblingValueHash)
                    result.isOld0 = false
                    result.proofHashCounter += 2
                    // Climb while the branch above has no other non-empty child.
                    level -= 1
                    while level >= 0 && (siblings[level].left.isZero || siblings[level].right.isZero) {
                        level -= 1
                    }
                    terminal = saveLeaf(siblingKey.removingPathBits(level + 1), siblingValueHash)
                    result.proofHashCounter += 1
                } else {
                    result.mode = .deleteNotFound
                    if case let .branch(l, r) = siblingNode {
                        result.siblingLeftChild = l
                        result.siblingRightChild = r
                    }
                    result.proofHashCounter += 1
                }
            } else {
                result.mode = .deleteNotFound
            }
        } else {
            result.mode = .zeroToZero
            if let leaf = walk.leaf {
                result.insKey = leaf.key
                result.insValue = leaf.value
                result.isOld0 = false
            }
            result.siblings = siblings
            return result
        }

        // Upward pass: place the terminal and re-hash the path.
        siblings.removeSubrange((level + 1)...)
        var h = terminal
        var depth = level
        while depth >= 0 {
            siblings[depth][key.pathBit(at: depth)] = h
            h = saveBranch(siblings[depth])
            depth -= 1
        }
        result.proofHashCounter += level + 1
        result.newRoot = h
        result.siblings = siblings
        try store.write(batch)
        return result
    }
}

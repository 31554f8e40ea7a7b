import Goldilocks
import SMT

/// Recomputes a root from a terminal node and the sibling ids that a SET returned (the
/// non-path child of each branch), the way a verifier of the transition does (spec §10.1).
func fold(_ terminal: NodeHash, key: SMTKey, siblings: [Branch]) -> NodeHash {
    var node = terminal
    for d in stride(from: siblings.count - 1, through: 0, by: -1) {
        let side = key.pathBit(at: d)
        let other = siblings[d][1 - side]
        node = side == 0 ? TreeHash.branch(node, other) : TreeHash.branch(other, node)
    }
    return node
}

/// What the returned siblings, insKey/insValue and values prove about the old and new roots,
/// per mode; nil where the result does not carry enough to recompute that root.
func transitionRoots(_ r: SetResult) -> (old: NodeHash?, new: NodeHash?) {
    let depth = r.siblings.count
    func leaf(_ key: SMTKey, _ value: UInt256) -> NodeHash {
        TreeHash.leaf(key.removingPathBits(depth), TreeHash.value(value))
    }
    switch r.mode {
    case .update:
        return (fold(leaf(r.key, r.oldValue), key: r.key, siblings: r.siblings),
                fold(leaf(r.key, r.newValue), key: r.key, siblings: r.siblings))
    case .insertNotFound:
        return (fold(.zero, key: r.key, siblings: r.siblings), fold(leaf(r.key, r.newValue), key: r.key, siblings: r.siblings))
    case .insertFound:
        return (fold(leaf(r.insKey!, r.insValue!), key: r.key, siblings: r.siblings), nil)
    case .deleteFound:
        return (nil, fold(leaf(r.insKey!, r.insValue!), key: r.key, siblings: r.siblings))
    case .deleteNotFound:
        return (nil, r.siblings.isEmpty ? .zero : fold(.zero, key: r.key, siblings: r.siblings))
    case .zeroToZero:
        let terminal = r.insKey.map { leaf($0, r.insValue!) } ?? .zero
        return (fold(terminal, key: r.key, siblings: r.siblings), nil)
    }
}

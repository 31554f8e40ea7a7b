import Goldilocks
import SMT

/// The test helper `scalar2key` of the references (spec §3.4): bit i of `s` goes to limb
/// i mod 4 at position i div 4, so the tree path spells the bits of `s`.
func scalar2key(_ s: UInt256) -> SMTKey {
    var limbs: [UInt64] = [0, 0, 0, 0]
    for i in 0..<256 where (s[word: i / 64] >> UInt64(i % 64)) & 1 == 1 {
        limbs[i % 4] |= 1 << UInt64(i / 4)
    }
    return Digest(FieldElement(reducing: limbs[0]), FieldElement(reducing: limbs[1]),
                  FieldElement(reducing: limbs[2]), FieldElement(reducing: limbs[3]))
}

/// An independent model of the tree: the root written straight from the definition (a leaf
/// where a key prefix becomes unique, a branch otherwise), and the mode a SET must take,
/// predicted from the set of keys alone.
struct TreeModel {
    var entries: [SMTKey: UInt256] = [:]

    /// The root of the canonical tree holding `entries`.
    func root() -> NodeHash {
        Self.root(Array(entries), depth: 0)
    }

    static func root(_ entries: [(key: SMTKey, value: UInt256)], depth: Int) -> NodeHash {
        if entries.isEmpty { return .zero }
        if entries.count == 1 {
            return TreeHash.leaf(entries[0].key.removingPathBits(depth), TreeHash.value(entries[0].value))
        }
        let left = entries.filter { $0.key.pathBit(at: depth) == 0 }
        let right = entries.filter { $0.key.pathBit(at: depth) == 1 }
        return TreeHash.branch(root(left, depth: depth + 1), root(right, depth: depth + 1))
    }

    /// Keys other than `key` that share its first `depth` path bits.
    func sharing(_ key: SMTKey, depth: Int, excluding: SMTKey? = nil) -> [SMTKey] {
        entries.keys.filter { $0 != excluding && $0.firstDifferingDepth(from: key) >= depth }
    }

    /// The mode a SET of `value` at `key` must report.
    func predictedMode(key: SMTKey, value: UInt256) -> SetMode {
        let present = entries[key] != nil
        if !value.isZero {
            if present { return .update }
            // Walk down while at least two other keys share the prefix (a branch).
            var depth = 0
            while sharing(key, depth: depth, excluding: key).count >= 2 { depth += 1 }
            return sharing(key, depth: depth, excluding: key).count == 1 ? .insertFound : .insertNotFound
        }
        if !present { return .zeroToZero }
        // The key's leaf sits where it becomes unique; its sibling subtree decides.
        var depth = 0
        while sharing(key, depth: depth, excluding: key).count >= 1 { depth += 1 }
        if depth == 0 { return .deleteNotFound }
        let siblings = sharing(key, depth: depth - 1, excluding: key)
        return siblings.count == 1 ? .deleteFound : .deleteNotFound
    }
}

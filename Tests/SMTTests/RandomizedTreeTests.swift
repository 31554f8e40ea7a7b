import Goldilocks
import SMT
import Testing
import TestSupport

/// Keys built to collide: a few random bases, each with variants that differ from it at one
/// chosen depth only (so they share a long path prefix), plus fresh random keys.
private func keyPool(_ rng: inout SplitMix64, count: Int) -> [SMTKey] {
    func randomKey() -> SMTKey {
        Digest(canonical: rng.next() >> 1, rng.next() >> 1, rng.next() >> 1, rng.next() >> 1)
    }
    var pool: [SMTKey] = []
    let bases = (0..<4).map { _ in randomKey() }
    while pool.count < count {
        switch rng.next() % 3 {
        case 0:
            pool.append(randomKey())
        default:
            var k = bases[Int(rng.next() % 4)]
            let depth = Int(rng.next() % 240)  // bit depth/4 < 60, so the limb stays < p
            let limb = depth & 3
            k[limb] = FieldElement(canonical: k[limb].value ^ (1 << UInt64(depth >> 2)))
            if rng.next() % 2 == 0 {  // and maybe a second difference deeper down
                let deeper = min(239, depth + 1 + Int(rng.next() % 8))
                k[deeper & 3] = FieldElement(canonical: k[deeper & 3].value ^ (1 << UInt64(deeper >> 2)))
            }
            pool.append(k)
        }
    }
    return Array(Set(pool))
}

private func randomValue(_ rng: inout SplitMix64) -> UInt256 {
    switch rng.next() % 5 {
    case 0: return UInt256(1 + rng.next() % 3)
    case 1: return UInt256(0, 0, 0, rng.next() | 1)  // high limb only
    case 2: return .max
    default: return UInt256(rng.next(), rng.next(), rng.next(), rng.next() % 3)
    }
}

/// Every way of breaking a proof: each must make it fail.
private func tamperings(of proof: MerkleProof) -> [MerkleProof] {
    var out: [MerkleProof] = []
    var p = proof
    p.value = proof.value.isZero ? UInt256(1) : UInt256(proof.value.words.0 ^ 1, proof.value.words.1, proof.value.words.2, proof.value.words.3)
    out.append(p)
    for d in proof.siblings.indices {
        p = proof
        p.siblings[d][d % 4] = p.siblings[d][d % 4] + .one
        out.append(p)
    }
    if !proof.siblings.isEmpty {
        p = proof
        p.siblings.removeLast()
        out.append(p)
    }
    p = proof
    p.key[0] = p.key[0] + .one
    if proof.siblings.count > 0 || proof.terminal == .leaf { out.append(p) }  // empty tree: any key is absent
    switch proof.terminal {
    case .leaf:
        p = proof; p.terminal = .empty; out.append(p)
    case .empty:
        if !proof.siblings.isEmpty { p = proof; p.terminal = .leaf; p.value = UInt256(1); out.append(p) }
    case let .otherLeaf(k, v):
        p = proof; p.terminal = .empty; out.append(p)
        var k2 = k; k2[3] = k2[3] + .one
        p = proof; p.terminal = .otherLeaf(key: k2, value: v); out.append(p)
        p = proof; p.terminal = .otherLeaf(key: k, value: UInt256(v.words.0 ^ 2, v.words.1, v.words.2, v.words.3)); out.append(p)
    }
    return out
}

@Suite("State tree: randomized differential tests")
struct RandomizedTreeTests {
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func mixedOperationsAgreeWithTheModel(seed: UInt64) throws {
        var rng = SplitMix64(seed: 0xA11CE + seed)
        let pool = keyPool(&rng, count: 48)
        let tree = SparseMerkleTree()
        var model = TreeModel()
        var root = NodeHash.zero
        var history: [(SMTKey, UInt256)] = []
        var modesSeen = Set<SetMode>()
        for step in 0..<700 {
            let key = pool[Int(rng.next() % UInt64(pool.count))]
            let value = rng.next() % 3 == 0 ? UInt256.zero : randomValue(&rng)
            let context = "seed \(rng.seed), step \(step)"
            let expectedMode = model.predictedMode(key: key, value: value)
            let result = try tree.set(root: root, key: key, value: value)
            #expect(result.mode == expectedMode, "\(context): mode")                           // (f)
            #expect(result.oldValue == (model.entries[key] ?? .zero), "\(context): oldValue")
            let proven = transitionRoots(result)                                              // siblings
            if let old = proven.old { #expect(old == root, "\(context): siblings prove the old root") }
            if let new = proven.new { #expect(new == result.newRoot, "\(context): siblings prove the new root") }
            if result.mode == .deleteNotFound && !result.siblings.isEmpty {
                // The sibling's children hash to the sibling id the path shows.
                let side = key.pathBit(at: result.siblings.count - 1)
                let siblingId = result.siblings[result.siblings.count - 1][1 - side]
                #expect(TreeHash.branch(result.siblingLeftChild!, result.siblingRightChild!) == siblingId, "\(context)")
            }
            model.entries[key] = value.isZero ? nil : value
            root = result.newRoot
            history.append((key, value))
            modesSeen.insert(result.mode)
            #expect(root == model.root(), "\(context): root vs built from scratch")          // (g)
            #expect(try tree.get(root: root, key: key).value == value, "\(context): get")     // (d)
            let probe = pool[Int(rng.next() % UInt64(pool.count))]
            #expect(try tree.get(root: root, key: probe).value == (model.entries[probe] ?? .zero), "\(context): get other")
            let proof = try tree.proof(root: root, key: probe)                               // (e)
            #expect(proof.isValid(root: root), "\(context): proof")
            for bad in tamperings(of: proof) {
                #expect(!bad.isValid(root: root), "\(context): tampered proof accepted: \(bad)")
            }
        }
        #expect(modesSeen == Set(SetMode.allCases), "modes seen: \(modesSeen)")
        // (a) the whole history as one batch, and in chunks, lands on the same root.
        #expect(try SparseMerkleTree().setMany(root: .zero, history) == root)
        var chunked = NodeHash.zero
        let other = SparseMerkleTree()
        for start in stride(from: 0, to: history.count, by: 97) {
            chunked = try other.setMany(root: chunked, history[start..<min(history.count, start + 97)])
        }
        #expect(chunked == root)
        // (c) deleting everything, one by one, returns the empty root.
        for key in model.entries.keys.shuffled(using: &rng) {
            root = try tree.set(root: root, key: key, value: .zero).newRoot
        }
        #expect(root == .zero)
    }

    @Test func insertionOrderDoesNotMatter() throws {                                       // (b)
        var rng = SplitMix64(seed: 0xB0B)
        let keys = keyPool(&rng, count: 300)
        let writes = keys.map { ($0, randomValue(&rng)) }
        var roots = Set<NodeHash>()
        for _ in 0..<3 {
            let tree = SparseMerkleTree()
            var root = NodeHash.zero
            for (k, v) in writes.shuffled(using: &rng) { root = try tree.set(root: root, key: k, value: v).newRoot }
            roots.insert(root)
            roots.insert(try SparseMerkleTree().setMany(root: .zero, writes.shuffled(using: &rng)))
        }
        #expect(roots.count == 1, "seed \(rng.seed)")
        // Deleting everything in a batch returns the empty root, and a batch that deletes half
        // lands where inserting only the other half does.
        let tree = SparseMerkleTree()
        let full = try tree.setMany(root: .zero, writes)
        #expect(try tree.setMany(root: full, keys.map { ($0, UInt256.zero) }) == .zero)
        let half = writes.count / 2
        let deleted = try tree.setMany(root: full, keys[..<half].map { ($0, UInt256.zero) })
        #expect(deleted == (try SparseMerkleTree().setMany(root: .zero, writes[half...])))
    }

    @Test func largeBatchUsesTheParallelPathAndMatchesTheModel() throws {
        var rng = SplitMix64(seed: 0xB16)
        let writes = (0..<6000).map { _ in (Digest(canonical: rng.next() >> 1, rng.next() >> 1, rng.next() >> 1, rng.next() >> 1), randomValue(&rng)) }
        let tree = SparseMerkleTree()
        let root = try tree.setMany(root: .zero, writes)
        #expect(root == TreeModel.root(writes.map { (key: $0.0, value: $0.1) }, depth: 0))
        let updates = writes.prefix(3000).enumerated().map { i, w in (w.0, i % 2 == 0 ? UInt256.zero : UInt256(7)) }
        let updated = try tree.setMany(root: root, updates)
        var model = TreeModel()
        for (k, v) in writes { model.entries[k] = v }
        for (k, v) in updates { model.entries[k] = v.isZero ? nil : v }
        #expect(updated == model.root())
    }
}

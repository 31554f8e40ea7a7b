import Goldilocks
import SMT
import Testing
import TestSupport

/// Every node and value reachable from `root`, children after their parent (the reverse of
/// the order the tree writes them, so a store fed this order can resolve no link at write time).
private func reachable(from root: NodeHash, in store: MemoryNodeStore) throws -> NodeBatch {
    var batch = NodeBatch()
    var stack = [root]
    while let h = stack.popLast() {
        if h.isZero { continue }
        let node = try #require(try store.node(h))
        batch.nodes.append((h, node))
        switch node {
        case let .branch(l, r): stack += [r, l]
        case let .leaf(_, v): batch.values.append((v, try #require(try store.value(v))))
        }
    }
    return batch
}

/// The in-memory store's links (a record pointing at its children's records) are hints: reads
/// give the same answers whether the links were set at write time, are missing, or are handed
/// a location that means nothing.
@Suite struct MemoryNodeStoreTests {
    private func randomTree(_ rng: inout SplitMix64, keys: Int) throws -> (SparseMerkleTree<MemoryNodeStore>, NodeHash, [SMTKey]) {
        let tree = SparseMerkleTree()
        var root = NodeHash.zero
        var written: [SMTKey] = []
        for i in 0..<keys {
            // Every fourth key shares all but its last limb with the one before: long common paths.
            let key = i % 4 == 3
                ? Digest(written[i - 1].e0, written[i - 1].e1, written[i - 1].e2, FieldElement(canonical: rng.next() >> 1))
                : Digest(canonical: rng.next() >> 1, rng.next() >> 1, rng.next() >> 1, rng.next() >> 1)
            root = try tree.set(root: root, key: key, value: UInt256(rng.next() | 1, rng.next(), 0, 0)).newRoot
            written.append(key)
        }
        return (tree, root, written)
    }

    @Test func readsAreTheSameWithoutLinks() throws {
        var rng = SplitMix64(seed: 11)
        let (tree, root, keys) = try randomTree(&rng, keys: 600)
        let copy = SparseMerkleTree(store: MemoryNodeStore())
        // Parents before children: no link can be resolved when a record goes in.
        try copy.store.write(try reachable(from: root, in: tree.store))
        let absent = (0..<200).map { _ in Digest(canonical: rng.next() >> 1, rng.next() >> 1, rng.next() >> 1, rng.next() >> 1) }
        for pass in 0..<2 {  // the first pass walks through the index and mends links; the second uses them
            for key in keys + absent {
                let want = try tree.get(root: root, key: key)
                let got = try copy.get(root: root, key: key)
                #expect(got == want, "pass \(pass), key \(key), seed \(rng.seed)")
            }
        }
        // Sets on the copy, now linked, agree with sets on the original.
        var a = root, b = root
        for key in keys.prefix(100) + absent.prefix(50) {
            let value = rng.next() % 3 == 0 ? UInt256.zero : UInt256(rng.next())
            let x = try tree.set(root: a, key: key, value: value)
            let y = try copy.set(root: b, key: key, value: value)
            #expect(x == y, "key \(key), seed \(rng.seed)")
            (a, b) = (x.newRoot, y.newRoot)
        }
    }

    @Test func aLocationThatMeansNothingIsChecked() throws {
        var rng = SplitMix64(seed: 12)
        let (tree, root, _) = try randomTree(&rng, keys: 300)
        let store = tree.store
        let batch = try reachable(from: root, in: store)
        let bogus: [UInt64] = [0, 1, 2, UInt64(store.count - 1), UInt64(store.count), UInt64(store.count + 1),
                               0x7FFF_FFFF, 0x8000_0000, UInt64.max] + (0..<20).map { _ in rng.next() % UInt64(store.count) + 1 }
        for (h, node) in batch.nodes.prefix(200) {
            for raw in bogus {
                for side in 0..<2 {
                    let found = try store.node(h, childOf: NodeLocation(raw: raw), side: side)
                    #expect(found?.0 == node, "node \(h) via location \(raw) side \(side)")
                    // The location handed back finds the node again.
                    if let location = found?.1 { #expect(try store.node(h, childOf: location, side: side)?.0 == node) }
                }
            }
        }
        for (v, value) in batch.values.prefix(100) {
            for raw in bogus { #expect(try store.value(v, ofLeaf: NodeLocation(raw: raw)) == value) }
        }
        // A node is not a value, a value not a node, and an absent hash is absent, whatever the hint.
        let missing = Digest(canonical: 1, 2, 3, 4)
        for raw in bogus {
            #expect(try store.node(missing, childOf: NodeLocation(raw: raw), side: 0) == nil)
            #expect(try store.value(missing, ofLeaf: NodeLocation(raw: raw)) == nil)
            #expect(try store.value(batch.nodes[0].0, ofLeaf: NodeLocation(raw: raw)) == nil)
            #expect(try store.node(batch.values[0].0, childOf: NodeLocation(raw: raw), side: 1) == nil)
        }
    }
}

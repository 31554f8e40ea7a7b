import Foundation
import Goldilocks
import HashDB
import Poseidon
import SMT
import Testing
import TestSupport
import ZKEVMState

/// A HashDB on a fresh test store.
func makeHashDB(_ t: TestStore, _ tweak: (inout HashDBConfiguration) -> Void = { _ in }) throws -> HashDB {
    var c = t.configuration
    tweak(&c)
    return try HashDB(store: try t.open(), configuration: c)
}

/// The nodes and values of the tree holding exactly `entries`, built in an independent memory store.
func referenceTree(_ entries: [Digest: UInt256]) throws -> (root: Digest, nodeCount: Int) {
    let store = MemoryNodeStore()
    let root = try SparseMerkleTree(store: store).setMany(root: .zero, entries.map { ($0.key, $0.value) })
    return (root, store.count)
}

@Suite("HashDB: the tree on every store")
struct HashDBTests {
    @Test("Genesis vectors: stored, reopened, every key readable", arguments: StoreKind.available)
    func genesisOnStore(kind: StoreKind) throws {
        let t = try TestStore(kind)
        defer { t.remove() }
        let all = try Genesis.parse(Vectors.data("state-tree/smt-genesis.json"))
        var roots: [(Digest, Genesis)] = []
        do {
            let db = try makeHashDB(t)
            for genesis in all {
                let state = ZKEVMState(tree: SparseMerkleTree(store: db.treeStore(persistence: .database)))
                let root = try state.write(genesis.accounts)
                #expect(root == genesis.expectedRoot)
                db.recordStateRoot(root)
                roots.append((root, genesis))
            }
            let (id, stored) = try db.flush(wait: true)
            #expect(stored >= id)
            if kind == .memory {
                try checkAccounts(db, roots)
                return
            }
            db.close()
        }
        // A new process: nothing from the cache or the pipeline, only the store.
        let db = try makeHashDB(t)
        defer { db.close() }
        #expect(db.latestStateRoot == roots.last!.0)
        #expect(db.flushStatus.storedFlushId >= 1)
        try checkAccounts(db, roots)
        for (root, _) in roots {
            let report = try TreeCheck().run(root: root) { hashes throws(HashDBError) in try db.store.readNodes(hashes) }
            #expect(report.isClean && report.nodes > 0)
        }
    }

    func checkAccounts(_ db: HashDB, _ roots: [(Digest, Genesis)]) throws {
        let state = ZKEVMState(tree: SparseMerkleTree(store: db.treeStore()))
        for (root, genesis) in roots {
            for account in genesis.accounts {
                let read = try state.account(root: root, account.address, slots: Array(account.storage.keys))
                #expect(read.balance == account.balance)
                #expect(read.nonce == account.nonce)
                for (slot, value) in account.storage { #expect(read.storage[slot] ?? .zero == value) }
            }
        }
    }

    @Test("A batch: invisible to others until flushed; only what the final roots reach is stored", arguments: StoreKind.available)
    func batchConsolidation(kind: StoreKind) throws {
        let t = try TestStore(kind)
        defer { t.remove() }
        let db = try makeHashDB(t)
        defer { db.close() }
        var g = SplitMix64(seed: 7)
        var expected: [Digest: UInt256] = [:]
        var root = Digest.zero
        db.startBlock(batch: "b1", oldRoot: root, persistence: .database)
        // Block 0: 3 transactions of 20 writes, the second one reverted with FinishTx.
        for tx in 0..<3 {
            let txStart = root
            var txWrites: [Digest: UInt256] = [:]
            for _ in 0..<20 {
                let key = randomDigest(&g)
                let value = UInt256(g.next() % 1000 + 1)
                root = try db.set(root: root, key: key, value: value, persistence: .database, batch: "b1", block: 0, tx: tx).result.newRoot
                txWrites[key] = value
                // The touched tree (TEMPORARY) is kept apart and never stored.
                _ = try db.set(root: .zero, key: key, value: UInt256(1), persistence: .temporary, batch: "b1", block: 0, tx: tx)
            }
            if tx == 1 {
                db.finishTx(batch: "b1", root: txStart, persistence: .database)
                root = txStart
            } else {
                db.finishTx(batch: "b1", root: root, persistence: .database)
                expected.merge(txWrites) { $1 }
            }
        }
        db.finishBlock(batch: "b1", root: root, persistence: .database)
        // Inside the batch its writes are readable; from outside they are not.
        let someKey = expected.keys.first!
        #expect(try db.get(root: root, key: someKey, batch: "b1").result.value == expected[someKey])
        #expect(throws: HashDBError.self) { _ = try db.get(root: root, key: someKey) }
        #expect(try db.store.counts().nodes == 0)

        let (id, _) = try db.flush(batch: "b1", root: root, persistence: .database, wait: true)
        #expect(id >= 1)
        #expect(!db.batches.contains("b1"))
        let reference = try referenceTree(expected)
        #expect(reference.root == root)
        // Exactly the nodes of the final tree: no intermediate root's nodes, nothing of the
        // reverted transaction, nothing of the touched tree.
        #expect(try db.store.counts().nodes == reference.nodeCount)
        #expect(try db.store.stateRoot() == root)
        for (k, v) in expected { #expect(try db.get(root: root, key: k).result.value == v) }
    }

    @Test("Every block's final root stays readable after a flush", arguments: StoreKind.available)
    func blockRootsReadable(kind: StoreKind) throws {
        let t = try TestStore(kind)
        defer { t.remove() }
        let db = try makeHashDB(t)
        defer { db.close() }
        var g = SplitMix64(seed: 11)
        var root = Digest.zero
        var blockStates: [(Digest, [Digest: UInt256])] = []
        var state: [Digest: UInt256] = [:]
        for block in 0..<4 {
            db.startBlock(batch: "b", oldRoot: root, persistence: .database)
            for tx in 0..<2 {
                for _ in 0..<15 {
                    let key = state.keys.randomElement(using: &g).flatMap { g.next() % 3 == 0 ? $0 : nil } ?? randomDigest(&g)
                    let value = g.next() % 4 == 0 ? UInt256.zero : UInt256(g.next())
                    root = try db.set(root: root, key: key, value: value, batch: "b", block: block, tx: tx).result.newRoot
                    state[key] = value.isZero ? nil : value
                }
                db.finishTx(batch: "b", root: root, persistence: .database)
            }
            db.finishBlock(batch: "b", root: root, persistence: .database)
            blockStates.append((root, state))
        }
        try db.flush(batch: "b", root: root, persistence: .database, wait: true)
        for (blockRoot, entries) in blockStates {
            #expect(try referenceTree(entries).root == blockRoot)
            let report = try TreeCheck().run(root: blockRoot) { hashes throws(HashDBError) in try db.store.readNodes(hashes) }
            #expect(report.isClean, "\(report.problems.prefix(3))")
        }
    }

    @Test("CancelBatch and a failed Set leave everything as it was")
    func cancelAndFailure() throws {
        let t = try TestStore(.memory)
        let db = try makeHashDB(t)
        defer { db.close() }
        var g = SplitMix64(seed: 3)
        let key = randomDigest(&g)
        let r = try db.set(root: .zero, key: key, value: UInt256(5), batch: "x").result.newRoot
        db.cancelBatch("x")
        db.cancelBatch("x")
        #expect(!db.batches.contains("x"))
        try db.flush(wait: true)
        #expect(try db.store.counts().nodes == 0)
        #expect(throws: HashDBError.self) { _ = try db.get(root: r, key: key) }
        // A Set from a root nobody has fails and opens no sub-state.
        let missing = randomDigest(&g)
        #expect(throws: HashDBError.nodeNotFound(missing)) {
            _ = try db.set(root: missing, key: key, value: UInt256(1), batch: "y")
        }
        #expect(!db.batches.contains("y"))
    }

    @Test("Flush ids increase and continue after a restart", arguments: [StoreKind.sqlite, .postgres].filter { StoreKind.available.contains($0) })
    func flushIdsPersist(kind: StoreKind) throws {
        let t = try TestStore(kind)
        defer { t.remove() }
        var last: UInt64 = 0
        for _ in 0..<2 {
            let db = try makeHashDB(t)
            for i in 0..<3 {
                _ = try db.set(root: db.latestStateRoot, key: Digest(canonical: UInt64(i + 1), 2, 3, 4), value: UInt256(UInt64(i + 1)))
                let (id, _) = try db.flush(wait: i == 2)
                #expect(id > last)
                last = id
            }
            #expect(db.flushStatus.storedFlushId == last)
            db.close()
        }
        #expect(last == 6)
    }

    @Test("Asynchronous flush: answered at once, stored soon after; GetFlushData returns the set")
    func asyncFlush() async throws {
        let t = try TestStore(.sqlite)
        defer { t.remove() }
        let db = try makeHashDB(t)
        defer { db.close() }
        let r = try db.set(root: .zero, key: Digest(canonical: 1, 2, 3, 4), value: UInt256(9)).result.newRoot
        let (id, _) = try db.flush()
        #expect(id == 1)
        let (sets, stored) = await db.pipeline.flushData(after: 0, timeout: .seconds(30))
        #expect(stored >= 1)
        let nodes = sets?.flatMap { $0.nodes.keys } ?? []
        #expect(nodes.contains(r))
        #expect(sets?.last?.stateRoot == r)
    }

    @Test("LoadDB checks every entry before writing any")
    func loadValidation() throws {
        let t = try TestStore(.memory)
        let db = try makeHashDB(t)
        defer { db.close() }
        var g = SystemRandomNumberGenerator()
        let good = (0..<10).map { _ in randomNode(&g) }
        var bad = good
        bad[5].0 = randomDigest(&g)
        #expect(throws: HashDBError.self) { try db.loadNodes(bad, persistent: true) }
        try db.flush(wait: true)
        #expect(try db.store.counts().nodes == 0)
        let nonCanonical = (good[0].0, NodeData(low: SIMD4(repeating: UInt64.max), high: .zero))
        #expect(throws: HashDBError.self) { try db.loadNodes([nonCanonical], persistent: true) }
        try db.loadNodes(good, persistent: true)
        try db.flush(wait: true)
        #expect(try db.store.counts().nodes == 10)
    }

    @Test("Cache counts hits and misses, and stays within its budget")
    func cacheCounters() throws {
        let cache = BoundedCache<NodeData>(capacityBytes: 1 << 20) { _ in 0 }
        var g = SystemRandomNumberGenerator()
        let entries = (0..<50_000).map { _ in randomNode(&g) }
        for (h, n) in entries { cache.put(h, n) }
        #expect(cache.bytes <= 1 << 20)
        #expect(cache.count < entries.count)
        let last = entries.last!
        #expect(cache.get(last.0) == last.1)
        #expect(cache.get(randomDigest(&g)) == nil)
        #expect(cache.hits == 1 && cache.misses == 1)
    }

    @Test("ReadTree returns values in request order and the nodes read")
    func readTree() throws {
        let t = try TestStore(.memory)
        let db = try makeHashDB(t)
        defer { db.close() }
        var root = Digest.zero
        let keys = (1...20).map { Digest(canonical: UInt64($0) * 0x9E37_79B9, UInt64($0), 0, 0) }
        for (i, k) in keys.enumerated() { root = try db.set(root: root, key: k, value: UInt256(UInt64(i + 1))).result.newRoot }
        let absent = Digest(canonical: 5, 5, 5, 5)
        let (values, nodes) = try db.readTree(root: root, keys: [keys[3], absent, keys[0]])
        #expect(values == [UInt256(4), .zero, UInt256(1)])
        #expect(nodes[root] != nil)
        for (h, n) in nodes { #expect(n.hash == h) }
    }
}


import Goldilocks
import Poseidon
import SMT
import Synchronization

/// The HashDB: every node of the state tree (hash → preimage) and every contract's bytecode,
/// with a bounded cache, per-batch sub-states and an asynchronous, durable flush pipeline.
///
/// ```
///  read:  batch writes ─▶ node cache ─▶ CACHE overlay ─▶ flush pipeline ─▶ store
///         (own batch)     (bounded)     (not evicted)    (pending, storing)  (memory | SQLite | PostgreSQL)
///
///  write, with a batch id:    Set ─▶ BatchStateManager ──Flush──▶ reachable nodes ─▶ pipeline / overlay
///  write, without a batch id: Set ─▶ cache + pipeline (DATABASE) | overlay (CACHE) | cache (TEMPORARY)
/// ```
/// The tree (`SMT`, `ZKEVMState`) runs unchanged on it through ``treeStore(batch:persistence:)``.
/// A failed request changes nothing: Sets record their writes only after the tree walk succeeds,
/// and Flush hands a batch over whole.
public final class HashDB: Sendable {
    /// How it was set up.
    public let configuration: HashDBConfiguration
    /// The durable store.
    public let store: any PersistentStore
    /// The flush pipeline in front of the store.
    public let pipeline: FlushPipeline
    /// In-flight batches.
    public let batches: BatchStateManager
    /// Node read cache.
    public let nodeCache: BoundedCache<NodeData>
    /// Program read cache.
    public let programCache: BoundedCache<[UInt8]>
    /// Data written with CACHE persistence: kept in memory until restart, never evicted.
    let overlay = MemoryStore()
    /// Whether anything was ever written to the overlay (reads skip it until then).
    private let overlayUsed = Atomic<Bool>(false)

    /// Opens the store the configuration names and starts the flush writer.
    public convenience init(configuration: HashDBConfiguration) throws(HashDBError) {
        let store = try configuration.location.open(nodesTable: configuration.nodesTable,
                                                    programTable: configuration.programTable,
                                                    readOnly: configuration.readOnly)
        try self.init(store: store, configuration: configuration)
    }

    /// A HashDB over an opened store (the configuration's location is ignored).
    public init(store: any PersistentStore, configuration: HashDBConfiguration = .init()) throws(HashDBError) {
        self.configuration = configuration
        self.store = store
        pipeline = try FlushPipeline(store: store, readOnly: configuration.readOnly,
                                     pendingLimitBytes: configuration.pendingLimitBytes,
                                     retainedSets: configuration.retainedFlushSets)
        batches = BatchStateManager(purge: configuration.stateManagerPurge, idleTimeout: configuration.batchIdleTimeout)
        nodeCache = BoundedCache(capacityBytes: configuration.nodeCacheMB << 20) { _ in 0 }
        programCache = BoundedCache(capacityBytes: configuration.programCacheMB << 20) { $0.count + 32 }
    }

    /// Writes what is pending and closes the store.
    public func close() {
        pipeline.close()
        store.close()
    }

    private func routed(_ batch: String?) -> String? {
        guard configuration.stateManager, let batch, !batch.isEmpty else { return nil }
        return batch
    }

    // MARK: Reads (spec §3.1)

    /// The node stored under `hash`, looked up layer by layer; nil when no layer has it.
    public func node(_ hash: Digest, batch: String? = nil) throws(HashDBError) -> NodeData? {
        if let batch = routed(batch), let n = batches.node(hash, batch: batch) { return n }
        if let n = nodeCache.get(hash) { return n }
        if let n = try (overlayUsed.load(ordering: .acquiring) ? overlay.readNode(hash) : nil) ?? pipeline.node(hash) {
            nodeCache.put(hash, n)
            return n
        }
        guard let n = try store.readNode(hash) else { return nil }
        nodeCache.put(hash, n)
        return n
    }

    /// The bytecode stored under `hash`, or nil.
    public func program(_ hash: Digest, batch: String? = nil) throws(HashDBError) -> [UInt8]? {
        if let batch = routed(batch), let p = batches.program(hash, batch: batch) { return p }
        if let p = programCache.get(hash) { return p }
        if let p = try (overlayUsed.load(ordering: .acquiring) ? overlay.readProgram(hash) : nil) ?? pipeline.program(hash) {
            programCache.put(hash, p)
            return p
        }
        guard let p = try store.readProgram(hash) else { return nil }
        programCache.put(hash, p)
        return p
    }

    // MARK: The tree

    /// A node store for the tree: reads through every layer (the batch's own writes first);
    /// writes go straight through with `persistence` (no batch) or are collected.
    public func treeStore(batch: String? = nil, persistence: Persistence = .database, logReads: Bool = false) -> HashDBNodeStore {
        if routed(batch) != nil {
            return HashDBNodeStore(db: self, batch: batch, mode: .collect, logReads: logReads)
        }
        return HashDBNodeStore(db: self, batch: nil, mode: .through(persistence), logReads: logReads)
    }

    func writeThrough(_ rows: [(Digest, NodeData)], persistence: Persistence, programs: [(Digest, [UInt8])] = []) {
        for (h, n) in rows { nodeCache.put(h, n) }
        for (h, p) in programs { programCache.put(h, p) }
        switch persistence {
        case .database:
            pipeline.enqueue(nodes: rows, programs: programs)
        case .cache:
            try? commitOverlay(StoreWrite(nodes: rows, programs: programs))
        case .temporary, .temporaryHash:
            break
        }
    }

    private func commitOverlay(_ write: StoreWrite) throws(HashDBError) {
        guard !write.isEmpty else { return }
        overlayUsed.store(true, ordering: .releasing)
        try overlay.commit(write)
    }

    /// The outcome of a Set, with the nodes it read when asked.
    public struct SetOutcome: Sendable {
        /// The tree's result (new root, proof, mode, …).
        public var result: SetResult
        /// Every node read while serving it (hash → preimage), when a read log was asked for.
        public var readLog: [Digest: NodeData]?
    }

    /// Sets `key` to `value` (0 deletes) in the tree under `root`. With a batch id (and the state
    /// manager on) the new nodes stay in the batch until Flush; otherwise they are written
    /// through with `persistence`. On failure nothing changes.
    public func set(root: Digest, key: Digest, value: UInt256, persistence: Persistence = .database,
                    batch: String? = nil, block: Int = 0, tx: Int = 0, logReads: Bool = false) throws(HashDBError) -> SetOutcome {
        let view = treeStore(batch: batch, persistence: persistence, logReads: logReads)
        let result: SetResult
        do {
            result = try SparseMerkleTree(store: view).set(root: root, key: key, value: value)
        } catch {
            throw HashDBError(error)
        }
        if let batch = routed(batch) {
            try batches.recordSet(.init(batch: batch, block: block, tx: tx, oldRoot: root, newRoot: result.newRoot,
                                        persistence: persistence, writes: view.collected))
        } else if persistence == .database, result.newRoot != root {
            pipeline.enqueue(nodes: [], stateRoot: result.newRoot)
        }
        return SetOutcome(result: result, readLog: view.readLog)
    }

    /// Reads `key` under `root` (the batch's unflushed writes first when `batch` is live).
    public func get(root: Digest, key: Digest, batch: String? = nil, logReads: Bool = false) throws(HashDBError) -> (result: GetResult, readLog: [Digest: NodeData]?) {
        let view = treeStore(batch: batch, logReads: logReads)
        do {
            return (try SparseMerkleTree(store: view).get(root: root, key: key), view.readLog)
        } catch {
            throw HashDBError(error)
        }
    }

    /// Stores a contract's bytecode under `hash` (spec §8.2 SetProgram).
    public func setProgram(_ hash: Digest, bytes: [UInt8], persistence: Persistence = .database,
                           batch: String? = nil, block: Int = 0, tx: Int = 0) throws(HashDBError) {
        if let batch = routed(batch) {
            try batches.recordProgram(batch: batch, block: block, tx: tx, hash: hash, bytes: bytes, persistence: persistence)
        } else {
            writeThrough([], persistence: persistence, programs: [(hash, bytes)])
        }
    }

    // MARK: Bulk load (spec §8.4)

    /// Writes a set of nodes as given (an executor input's `db`), after checking every entry:
    /// 8 or 12 canonical elements and, when `validate`, key = Poseidon hash of the value. One bad
    /// entry rejects the whole set.
    public func loadNodes(_ nodes: [(Digest, NodeData)], persistent: Bool, validate: Bool? = nil) throws(HashDBError) {
        let check = validate ?? configuration.validateLoads
        for (h, n) in nodes {
            guard n.count == 12 || n.count == 8 else { throw .invalidNode(h, .wrongSize(n.count)) }
            guard n.isCanonical else { throw .invalidNode(h, .notCanonical) }
            if check, let actual = n.hash, actual != h { throw .corruptNode(h, actual: actual) }
        }
        writeThrough(nodes, persistence: persistent ? .database : .cache)
    }

    /// Writes a set of programs as given; when validating, each key must be the bytecode's hash.
    public func loadPrograms(_ programs: [(Digest, [UInt8])], persistent: Bool, validate: Bool? = nil) throws(HashDBError) {
        if validate ?? configuration.validateLoads {
            for (h, bytes) in programs {
                let actual = Poseidon.hashBytecode(bytes)
                guard actual == h else { throw .invalidArgument(field: "input_program_db[\(h.hexString)]", reason: "the key is not the bytecode's hash \(actual.hexString)") }
            }
        }
        writeThrough([], persistence: persistent ? .database : .cache, programs: programs)
    }

    // MARK: Batch life cycle (spec §5)

    /// StartBlock.
    public func startBlock(batch: String, oldRoot: Digest, persistence: Persistence) {
        guard let batch = routed(batch) else { return }
        batches.startBlock(batch: batch, oldRoot: oldRoot, persistence: persistence)
    }

    /// FinishTx.
    public func finishTx(batch: String, root: Digest, persistence: Persistence) {
        guard let batch = routed(batch) else { return }
        batches.finishTx(batch: batch, root: root, persistence: persistence)
    }

    /// FinishBlock.
    public func finishBlock(batch: String, root: Digest, persistence: Persistence) {
        guard let batch = routed(batch) else { return }
        batches.finishBlock(batch: batch, root: root, persistence: persistence)
    }

    /// CancelBatch: forgets the batch (idempotent).
    public func cancelBatch(_ batch: String) {
        batches.cancel(batch: batch)
    }

    /// Flush: consolidates the batch (when one is named and live) up to `root`, hands its nodes to
    /// the pipeline (DATABASE) or the memory overlay (CACHE), and assigns a flush id. With
    /// synchronous flushes configured, or `wait`, returns once the id is stored.
    @discardableResult
    public func flush(batch: String? = nil, root: Digest? = nil, persistence: Persistence = .database,
                      wait: Bool? = nil) throws(HashDBError) -> (flushId: UInt64, storedFlushId: UInt64) {
        if let batch = routed(batch), let handOff = batches.consolidate(batch: batch, root: root) {
            for (h, n) in handOff.nodes { nodeCache.put(h, n) }
            try commitOverlay(StoreWrite(programs: handOff.cachePrograms))
            if persistence == .database {
                pipeline.enqueue(nodes: handOff.nodes, programs: handOff.persistentPrograms, stateRoot: handOff.lastRoot)
            } else {
                try commitOverlay(StoreWrite(nodes: handOff.nodes, programs: handOff.persistentPrograms))
            }
        }
        return try pipeline.flush(wait: wait ?? configuration.synchronousFlush)
    }

    /// ResetDB: drops every batch, waits for the writer, deletes everything in the store and the
    /// memory layers, and re-creates the zero root row.
    public func reset() throws(HashDBError) {
        batches.removeAll()
        try pipeline.flush(wait: true)
        try store.deleteAll()
        try overlay.deleteAll()
        nodeCache.removeAll()
        programCache.removeAll()
        pipeline.resetLatestRoot()
    }

    /// Queues `root` as the new value of the latest-state-root row (as a DATABASE Set does).
    public func recordStateRoot(_ root: Digest) {
        pipeline.enqueue(nodes: [], stateRoot: root)
    }

    /// Purge: prunes a live batch in memory as its flush would (spec §8.5).
    public func purge(batch: String, root: Digest?) throws(HashDBError) {
        try batches.prune(batch: batch, root: root)
    }

    /// The flush counters (cheap: never waits for the store).
    public var flushStatus: FlushPipeline.Status { pipeline.status }

    /// The root of the most recent DATABASE write accepted (queued or stored); at start, the
    /// store's root row.
    public var latestStateRoot: Digest { pipeline.latestStateRoot }

    // MARK: Reading a tree

    /// The values of `keys` under `root` (in request order, zero when absent) and every node read
    /// to resolve them (spec §8.5 ReadTree).
    public func readTree(root: Digest, keys: [Digest], batch: String? = nil) throws(HashDBError) -> (values: [UInt256], nodes: [Digest: NodeData]) {
        let view = treeStore(batch: batch, logReads: true)
        let tree = SparseMerkleTree(store: view)
        var values: [UInt256] = []
        for key in keys {
            do { values.append(try tree.get(root: root, key: key).value) } catch { throw HashDBError(error) }
        }
        return (values, view.readLog ?? [:])
    }
}

extension HashDBError {
    /// The HashDB error behind a tree error.
    public init(_ error: SMTError) {
        switch error {
        case let .nodeNotFound(h), let .valueNotFound(h): self = .nodeNotFound(h)
        case let .invalidNode(why): self = .storeFailed(location: "tree", reason: "invalid node: \(why)")
        case let .store(why): self = .storeFailed(location: "tree", reason: why)
        }
    }
}

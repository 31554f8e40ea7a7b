import Goldilocks
import Synchronization

/// The batch state manager (hashdb spec §5): keeps every write of in-flight batches in memory,
/// per block, transaction and persistence, until Flush hands what the batch's final roots need to
/// the store layer, or CancelBatch forgets it.
///
/// A Set is applied in two steps so that a failed tree walk changes nothing: the caller walks the
/// tree reading through ``node(_:batch:)``, then ``recordSet(_:)`` records the outcome atomically.
/// Consolidation keeps exactly the batch's nodes reachable from the roots that must stay readable
/// (every block's final root and the flushed root), which drops the intermediate nodes of earlier
/// roots of the batch and every node of reverted work.
public final class BatchStateManager: Sendable {
    private struct State {
        var batches: [String: BatchState] = [:]
        var evicted = 0
        /// When idle batches are next looked for.
        var nextSweep: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    /// Whether reverted work is dropped (`stateManagerPurge`).
    public let purge: Bool
    /// Batches idle longer than this are forgotten.
    public let idleTimeout: Duration
    private let clock = ContinuousClock()

    /// A manager; `purge` as the prover's `stateManagerPurge`.
    public init(purge: Bool = true, idleTimeout: Duration = .seconds(3600)) {
        self.purge = purge
        self.idleTimeout = idleTimeout
    }

    /// Batches currently held.
    public var batchCount: Int { state.withLock { $0.batches.count } }
    /// Batches forgotten because they were idle too long.
    public var evictedCount: Int { state.withLock { $0.evicted } }

    /// Whether `batch` is in flight.
    public func contains(_ batch: String) -> Bool { state.withLock { $0.batches[batch] != nil } }

    /// A node written by `batch` (any persistence), or nil.
    public func node(_ hash: Digest, batch: String) -> NodeData? {
        state.withLock { $0.batches[batch]?.nodes[hash] }
    }

    /// A program written by `batch`, or nil.
    public func program(_ hash: Digest, batch: String) -> [UInt8]? {
        state.withLock { $0.batches[batch]?.programs[hash] }
    }

    /// The live batch whose last root is `root`, if any (ConsolidateState).
    public func batch(withCurrentRoot root: Digest) -> String? {
        state.withLock { s in s.batches.first { $0.value.currentRoot == root }?.key }
    }

    /// Forgets every batch (ResetDB).
    public func removeAll() {
        state.withLock { $0.batches.removeAll() }
    }

    /// The root the batch last saw (old or new, any persistence).
    public func currentRoot(_ batch: String) -> Digest? {
        state.withLock { $0.batches[batch]?.currentRoot }
    }

    /// The time of a request on `batch`; evicts idle batches, looking at most ten times per
    /// idle timeout (not on every Set).
    private func touch(_ s: inout State, _ batch: String) -> ContinuousClock.Instant {
        let now = clock.now
        if let next = s.nextSweep, now < next { return now }
        s.nextSweep = now + idleTimeout / 10
        let limit = now - idleTimeout
        let idle = s.batches.compactMap { $0.key != batch && $0.value.lastUsed < limit ? $0.key : nil }
        for key in idle { s.batches[key] = nil }
        s.evicted += idle.count
        return now
    }

    /// What one completed Set did.
    public struct SetRecord: Sendable {
        /// Batch id (non-empty).
        public var batch: String
        /// Block index inside the batch.
        public var block: Int
        /// Transaction index inside the block.
        public var tx: Int
        /// The root the Set started from.
        public var oldRoot: Digest
        /// The root it produced.
        public var newRoot: Digest
        /// Its persistence.
        public var persistence: Persistence
        /// Every node it created.
        public var writes: [(Digest, NodeData)]

        /// A record.
        public init(batch: String, block: Int, tx: Int, oldRoot: Digest, newRoot: Digest,
                    persistence: Persistence, writes: [(Digest, NodeData)]) {
            self.batch = batch; self.block = block; self.tx = tx; self.oldRoot = oldRoot
            self.newRoot = newRoot; self.persistence = persistence; self.writes = writes
        }
    }

    /// Records a completed Set (spec §5.2): opens its sub-state, stores its writes, closes it.
    public func recordSet(_ r: SetRecord) throws(HashDBError) {
        guard r.block >= 0, r.tx >= 0 else { throw .invalidArgument(field: "block_index/tx_index", reason: "must not be negative") }
        state.withLock { s in
            let now = touch(&s, r.batch)
            var b = s.batches[r.batch] ?? BatchState(now: now)
            b.lastUsed = now
            b.open(block: r.block, tx: r.tx, root: r.oldRoot, persistence: r.persistence)
            let p = r.persistence.rawValue
            var slot = b.blocks[r.block].txs[r.tx].slots[p]
            if slot.subStates.isEmpty { slot.oldRoot = r.oldRoot }
            slot.subStates.append(.init(oldRoot: r.oldRoot, newRoot: r.newRoot, written: r.writes.map(\.0)))
            slot.newRoot = r.newRoot
            b.blocks[r.block].txs[r.tx].slots[p] = slot
            for (h, n) in r.writes { b.nodes[h] = n }
            b.currentRoot = r.newRoot
            if r.persistence.carriesState { b.blocks[r.block].currentRoot = r.newRoot }
            s.batches[r.batch] = b
        }
    }

    /// SetProgram inside a batch (spec §5.2, last paragraph): block `block` must exist (block 0 is
    /// created for a new batch) and `tx` may be at most one past the block's last transaction.
    public func recordProgram(batch: String, block: Int, tx: Int, hash: Digest, bytes: [UInt8],
                              persistence: Persistence) throws(HashDBError) {
        try state.withLock { (s: inout State) throws(HashDBError) in
            let now = touch(&s, batch)
            var b = s.batches[batch] ?? BatchState(now: now)
            b.lastUsed = now
            if b.blocks.isEmpty, block == 0 { b.blocks.append(.init()) }
            guard block >= 0, block < b.blocks.count else {
                throw .stateManager("SetProgram: block \(block) does not exist in batch \(batch) (it has \(b.blocks.count))")
            }
            let count = b.blocks[block].txs.count
            guard tx >= 0, tx <= count else {
                throw .stateManager("SetProgram: transaction \(tx) is ahead of block \(block)'s \(count) transactions")
            }
            if tx == count { b.blocks[block].txs.append(.init()); b.blocks[block].currentTx = tx }
            b.blocks[block].txs[tx].slots[persistence.rawValue].programs[hash] = bytes
            b.programs[hash] = bytes
            s.batches[batch] = b
        }
    }

    /// StartBlock (spec §5.4): appends a block starting at `oldRoot` and makes it current.
    public func startBlock(batch: String, oldRoot: Digest, persistence: Persistence) {
        state.withLock { s in
            let now = touch(&s, batch)
            var b = s.batches[batch] ?? BatchState(now: now)
            b.lastUsed = now
            b.blocks.append(.init(oldRoot: oldRoot))
            b.currentBlock = b.blocks.count - 1
            s.batches[batch] = b
        }
    }

    /// FinishTx (spec §5.3): the current transaction really ended at `root` (an earlier root when
    /// it reverted); with purge on, its sub-states after that point are dropped.
    public func finishTx(batch: String, root: Digest, persistence: Persistence) {
        state.withLock { s in
            guard var b = s.batches[batch], b.currentBlock < b.blocks.count else { return }
            b.lastUsed = clock.now
            let bi = b.currentBlock, ti = b.blocks[bi].currentTx
            guard ti < b.blocks[bi].txs.count else { s.batches[batch] = b; return }
            var slot = b.blocks[bi].txs[ti].slots[persistence.rawValue]
            if slot.newRoot == root {
            } else if slot.oldRoot == root {
                if purge { slot.subStates.removeAll(); slot.newRoot = root }
            } else if purge, let first = slot.subStates.firstIndex(where: { $0.oldRoot == root }) {
                slot.subStates.removeSubrange(first...)
                slot.newRoot = root
            }
            b.blocks[bi].txs[ti].slots[persistence.rawValue] = slot
            if persistence.carriesState, slot.newRoot == root { b.blocks[bi].currentRoot = root }
            s.batches[batch] = b
        }
    }

    /// FinishBlock (spec §5.5): the current block ended at `root`; with purge on, transactions
    /// after that point are dropped.
    public func finishBlock(batch: String, root: Digest, persistence: Persistence) {
        state.withLock { s in
            guard var b = s.batches[batch], b.currentBlock < b.blocks.count else { return }
            b.lastUsed = clock.now
            var block = b.blocks[b.currentBlock]
            guard !block.txs.isEmpty else { s.batches[batch] = b; return }
            let current = block.txs[min(block.currentTx, block.txs.count - 1)].slots[persistence.rawValue]
            if current.newRoot == root {
                block.currentRoot = root
            } else if current.oldRoot == root {
                if purge { block.txs.removeAll(); block.currentRoot = root; block.currentTx = 0 }
            } else if purge, let first = block.txs.firstIndex(where: { $0.slots[persistence.rawValue].oldRoot == root }) {
                block.txs.removeSubrange(first...)
                block.currentRoot = root
                block.currentTx = max(0, first - 1)
            }
            b.blocks[b.currentBlock] = block
            s.batches[batch] = b
        }
    }

    /// CancelBatch (spec §5.7): forgets the batch; idempotent.
    public func cancel(batch: String) {
        _ = state.withLock { $0.batches.removeValue(forKey: batch) }
    }

    /// What Flush hands to the store layer.
    public struct HandOff: Sendable {
        /// Nodes the surviving roots need, in no particular order.
        public var nodes: [(Digest, NodeData)]
        /// Programs written with DATABASE persistence.
        public var persistentPrograms: [(Digest, [UInt8])]
        /// Programs written with CACHE persistence.
        public var cachePrograms: [(Digest, [UInt8])]
        /// The last state root the batch reached (the root row's new value), if any.
        public var lastRoot: Digest?
    }

    /// Flush (spec §5.6): removes the batch and returns what must be written; nil when the batch
    /// is unknown.
    public func consolidate(batch: String, root: Digest?) -> HandOff? {
        guard let b = state.withLock({ $0.batches.removeValue(forKey: batch) }) else { return nil }
        return BatchStateManager.handOff(b, root: root, purge: purge)
    }

    /// Purge (spec §8.5): applies the pruning of a flush in memory, keeping the batch.
    public func prune(batch: String, root: Digest?) throws(HashDBError) {
        try state.withLock { (s: inout State) throws(HashDBError) in
            guard var b = s.batches[batch] else { throw .stateManager("Purge: no batch \(batch)") }
            guard purge else { return }
            let keep = BatchStateManager.handOff(b, root: root, purge: true)
            var nodes: [Digest: NodeData] = [:]
            for (h, n) in keep.nodes { nodes[h] = n }
            b.nodes = nodes
            s.batches[batch] = b
        }
    }

    static func handOff(_ batch: BatchState, root: Digest?, purge: Bool) -> HandOff {
        var b = batch
        if purge {
            if let root, root == b.oldRoot { b.blocks.removeAll() }
            if root != nil, !b.blocks.isEmpty, b.oldRoot != nil {
                b.blocks.removeAll { $0.currentRoot == $0.oldRoot && !$0.hasPrograms }
            }
        }
        var lastRoot: Digest?
        var persistent: [Digest: [UInt8]] = [:], cached: [Digest: [UInt8]] = [:]
        var keepRoots: [Digest] = []
        var written: Set<Digest> = []
        for block in b.blocks {
            if let r = block.currentRoot { keepRoots.append(r) }
            for tx in block.txs {
                for p in Persistence.allCases where p.carriesState {
                    let slot = tx.slots[p.rawValue]
                    for (h, bytes) in slot.programs {
                        if p == .database { persistent[h] = bytes } else { cached[h] = bytes }
                    }
                    guard !slot.subStates.isEmpty else { continue }
                    if let r = slot.newRoot { lastRoot = r }
                    if !purge { for sub in slot.subStates { written.formUnion(sub.written) } }
                }
            }
        }
        for (h, _) in cached where persistent[h] != nil { cached[h] = nil }
        var nodes: [(Digest, NodeData)] = []
        if purge {
            if let root { keepRoots.append(root) }
            nodes = reachable(from: keepRoots, in: b.nodes)
        } else {
            nodes = written.compactMap { h in b.nodes[h].map { (h, $0) } }
        }
        return HandOff(nodes: nodes, persistentPrograms: Array(persistent), cachePrograms: Array(cached), lastRoot: lastRoot)
    }

    /// The nodes of `pool` reachable from `roots` (walking branches to children and leaves to
    /// their value nodes; a node outside `pool` is already stored and ends the walk).
    static func reachable(from roots: [Digest], in pool: [Digest: NodeData]) -> [(Digest, NodeData)] {
        var seen: Set<Digest> = []
        var out: [(Digest, NodeData)] = []
        var stack = roots.filter { !$0.isZero }
        while let h = stack.popLast() {
            guard !seen.contains(h), let n = pool[h] else { continue }
            seen.insert(h)
            out.append((h, n))
            guard n.count == 12, n.isCanonical else { continue }
            if n.capacity == .zero {
                // A branch, or a value node reached from a leaf (already handled below).
                for child in [Digest(raw: n.low), Digest(raw: n.high)] where !child.isZero { stack.append(child) }
            } else if n.capacity == SIMD4(1, 0, 0, 0) {
                let valueHash = Digest(raw: n.high)
                if !seen.contains(valueHash), let v = pool[valueHash] {
                    seen.insert(valueHash)
                    out.append((valueHash, v))
                }
            }
        }
        return out
    }
}

extension BatchState.Block {
    var hasPrograms: Bool { txs.contains { tx in tx.slots.contains { !$0.programs.isEmpty } } }
}

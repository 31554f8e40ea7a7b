import Goldilocks
import SMT

/// The HashDB seen by the tree: an `SMT.NodeStore` that reads through every layer of the HashDB
/// and writes either into a batch (kept for ``HashDB/set(root:key:value:persistence:batch:block:tx:)``
/// to record) or straight through to the cache and the flush pipeline.
public final class HashDBNodeStore: NodeStore, @unchecked Sendable {
    /// What happens to written nodes.
    public enum WriteMode: Sendable {
        /// Keep them for the caller (batch Sets record them in the state manager).
        case collect
        /// Write through with this persistence.
        case through(Persistence)
    }

    let db: HashDB
    let batch: String?
    let mode: WriteMode
    /// Nodes written, in collect mode.
    private(set) var collected: [(Digest, NodeData)] = []
    /// Nodes read, when a read log is asked for.
    private(set) var readLog: [Digest: NodeData]?

    init(db: HashDB, batch: String?, mode: WriteMode, logReads: Bool) {
        self.db = db; self.batch = batch; self.mode = mode
        readLog = logReads ? [:] : nil
    }

    private func read(_ hash: Digest) throws(SMTError) -> NodeData? {
        do {
            guard let n = try db.node(hash, batch: batch) else { return nil }
            if readLog != nil { readLog![hash] = n }
            return n
        } catch {
            throw error.smtError
        }
    }

    public func node(_ hash: NodeHash) throws(SMTError) -> Node? {
        guard let data = try read(hash) else { return nil }
        do { return try data.node() } catch { throw HashDBError.invalidNode(hash, error).smtError }
    }

    public func value(_ hash: NodeHash) throws(SMTError) -> UInt256? {
        guard let data = try read(hash) else { return nil }
        do { return try data.value() } catch { throw HashDBError.invalidNode(hash, error).smtError }
    }

    public func write(_ batch: NodeBatch) throws(SMTError) {
        var rows: [(Digest, NodeData)] = []
        rows.reserveCapacity(batch.nodes.count + batch.values.count)
        for (h, n) in batch.nodes { rows.append((h, NodeData(n))) }
        for (h, v) in batch.values { rows.append((h, NodeData(value: v))) }
        switch mode {
        case .collect: collected.append(contentsOf: rows)
        case let .through(p): db.writeThrough(rows, persistence: p)
        }
    }
}

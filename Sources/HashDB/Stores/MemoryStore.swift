import Goldilocks
import Synchronization

/// The store that lives in memory only: tests, scratch work, and the prover's `"local"` mode
/// (unbounded and explicit, never an evictable cache). Gone when the process ends.
public final class MemoryStore: PersistentStore {
    private struct Tables {
        var nodes: [Digest: NodeData] = [:]
        var programs: [Digest: [UInt8]] = [:]
        var stateRoot = Digest.zero
        var flushId: UInt64 = 0
        var metadata: [String: String] = [:]
        var closed = false
    }
    private let tables = Mutex(Tables())

    /// An empty store.
    public init() {}

    public var location: String { "memory" }

    private func open<R>(_ body: (inout Tables) throws(HashDBError) -> R) throws(HashDBError) -> R {
        try tables.withLock { (t: inout Tables) throws(HashDBError) -> R in
            guard !t.closed else { throw HashDBError.storeFailed(location: "memory", reason: "the store is closed") }
            return try body(&t)
        }
    }

    public func readNode(_ hash: Digest) throws(HashDBError) -> NodeData? {
        try open { $0.nodes[hash] }
    }

    public func readNodes(_ hashes: [Digest]) throws(HashDBError) -> [Digest: NodeData] {
        try open { t in
            var out: [Digest: NodeData] = [:]
            for h in hashes { if let n = t.nodes[h] { out[h] = n } }
            return out
        }
    }

    public func readProgram(_ hash: Digest) throws(HashDBError) -> [UInt8]? {
        try open { $0.programs[hash] }
    }

    public func commit(_ write: StoreWrite) throws(HashDBError) {
        try open { t in
            for (h, n) in write.nodes where t.nodes[h] == nil { t.nodes[h] = n }
            for (h, p) in write.programs where t.programs[h] == nil { t.programs[h] = p }
            if let root = write.stateRoot { t.stateRoot = root }
            if let id = write.flushId { t.flushId = max(t.flushId, id) }
            t.metadata.merge(write.metadata) { $1 }
        }
    }

    public func stateRoot() throws(HashDBError) -> Digest { try open { $0.stateRoot } }

    public func storedFlushId() throws(HashDBError) -> UInt64 { try open { $0.flushId } }

    public func metadata(_ key: String) throws(HashDBError) -> String? { try open { $0.metadata[key] } }

    public func scanNodes(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, NodeData)] {
        try open { t in
            let keys = t.nodes.keys.filter { k in after.map { Digest.keyOrder($0, k) } ?? true }.sorted(by: Digest.keyOrder)
            return keys.prefix(limit).map { ($0, t.nodes[$0]!) }
        }
    }

    public func scanPrograms(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, [UInt8])] {
        try open { t in
            let keys = t.programs.keys.filter { k in after.map { Digest.keyOrder($0, k) } ?? true }.sorted(by: Digest.keyOrder)
            return keys.prefix(limit).map { ($0, t.programs[$0]!) }
        }
    }

    public func counts() throws(HashDBError) -> (nodes: Int, programs: Int) {
        try open { ($0.nodes.count, $0.programs.count) }
    }

    public func deleteAll() throws(HashDBError) {
        try open { t in t.nodes = [:]; t.programs = [:]; t.stateRoot = .zero }
    }

    public func close() { tables.withLock { $0.closed = true } }
}

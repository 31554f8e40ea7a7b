import Goldilocks

/// A durable home for nodes and programs: the seam between the HashDB and a database engine.
///
/// Every store keeps the prover's logical layout (hashdb spec §2): a nodes table and a program
/// table keyed by the 32-byte hash, the latest-state-root row, and our own bookkeeping (last stored
/// flush id, copy progress) in a separate table. Stores are content-addressed: writing a row that
/// exists is not an error. Implementations are thread-safe.
public protocol PersistentStore: AnyObject, Sendable {
    /// Where the store lives, safe to print (never a password).
    var location: String { get }

    /// The node stored under `hash`, or nil. Throws ``HashDBError/invalidNode(_:_:)`` for a row
    /// that is not 64 or 96 bytes.
    func readNode(_ hash: Digest) throws(HashDBError) -> NodeData?

    /// The nodes stored under `hashes` (absent ones are left out), in one round trip where the
    /// engine allows.
    func readNodes(_ hashes: [Digest]) throws(HashDBError) -> [Digest: NodeData]

    /// The bytecode stored under `hash`, or nil.
    func readProgram(_ hash: Digest) throws(HashDBError) -> [UInt8]?

    /// Writes a whole set in one durable transaction: after it returns, a crash loses nothing of it;
    /// when it throws, nothing of it is stored.
    func commit(_ write: StoreWrite) throws(HashDBError)

    /// The root the latest-state-root row names (zero when absent or never written).
    func stateRoot() throws(HashDBError) -> Digest

    /// The last flush id committed to this store (0 for a new store).
    func storedFlushId() throws(HashDBError) -> UInt64

    /// A bookkeeping value of ours (never in the prover's tables).
    func metadata(_ key: String) throws(HashDBError) -> String?

    /// Up to `limit` nodes in increasing key order, after `after` (from the start when nil).
    /// The root row is not a node and is never listed.
    func scanNodes(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, NodeData)]

    /// Up to `limit` programs in increasing key order, after `after`.
    func scanPrograms(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, [UInt8])]

    /// Number of stored nodes (the root row excluded) and programs.
    func counts() throws(HashDBError) -> (nodes: Int, programs: Int)

    /// Deletes every node, program and the root row (then re-creates the zero root row), in one
    /// transaction. Only for an operator's explicit reset; normal operation never deletes.
    func deleteAll() throws(HashDBError)

    /// Releases connections and files. Further calls fail.
    func close()
}

/// One set of rows committed together.
public struct StoreWrite: Sendable {
    /// Nodes to insert (existing ones are kept as they are).
    public var nodes: [(Digest, NodeData)]
    /// Programs to insert.
    public var programs: [(Digest, [UInt8])]
    /// The new value of the latest-state-root row, if it changes.
    public var stateRoot: Digest?
    /// The flush id this set completes; stored in our bookkeeping when given.
    public var flushId: UInt64?
    /// Bookkeeping values to set (copy progress and the like).
    public var metadata: [String: String]

    /// A set of rows.
    public init(nodes: [(Digest, NodeData)] = [], programs: [(Digest, [UInt8])] = [],
                stateRoot: Digest? = nil, flushId: UInt64? = nil, metadata: [String: String] = [:]) {
        self.nodes = nodes; self.programs = programs; self.stateRoot = stateRoot
        self.flushId = flushId; self.metadata = metadata
    }

    /// Whether the set changes nothing.
    public var isEmpty: Bool {
        nodes.isEmpty && programs.isEmpty && stateRoot == nil && flushId == nil && metadata.isEmpty
    }
}

extension Digest {
    /// The order of keys in the stores: the 32-byte big-endian key compared bytewise, i.e. limb 3 first.
    @inlinable
    public static func keyOrder(_ a: Digest, _ b: Digest) -> Bool {
        (a.e3.value, a.e2.value, a.e1.value, a.e0.value) < (b.e3.value, b.e2.value, b.e1.value, b.e0.value)
    }
}

import Goldilocks

/// Where the tree keeps its nodes. The tree only ever talks to this protocol.
///
/// Stores are content-addressed: writing a node or value that exists is not an error.
public protocol NodeStore: AnyObject, Sendable {
    /// The node with id `hash`, or nil when the store does not have it.
    func node(_ hash: NodeHash) throws(SMTError) -> Node?
    /// The value whose hash is `hash`, or nil when the store does not have it.
    func value(_ hash: NodeHash) throws(SMTError) -> UInt256?
    /// Writes a batch of nodes and values at once.
    func write(_ batch: NodeBatch) throws(SMTError)

    /// The node with id `hash`, reached as the child on `side` (0 left, 1 right) of the node
    /// the store placed at `parent` (``NodeLocation/unknown`` for a root), with where the store
    /// keeps it. A store that links nodes to their children skips its index here; the default
    /// ignores the hint and calls ``node(_:)``.
    func node(_ hash: NodeHash, childOf parent: NodeLocation, side: Int) throws(SMTError) -> (Node, NodeLocation)?

    /// The value whose hash is `hash`, reached from the leaf the store placed at `leaf`.
    /// The default ignores the hint and calls ``value(_:)``.
    func value(_ hash: NodeHash, ofLeaf leaf: NodeLocation) throws(SMTError) -> UInt256?
}

/// Where a store keeps a node it returned: handed back to the store to reach that node's
/// children, never read by the tree. Every store may answer ``unknown``.
@frozen
public struct NodeLocation: Sendable, Hashable {
    /// The store's own encoding; 0 means unknown.
    public var raw: UInt64

    /// A location in the store's encoding.
    @inlinable public init(raw: UInt64) { self.raw = raw }

    /// No location: the store looks the node up by its hash.
    public static let unknown = NodeLocation(raw: 0)
}

/// Nodes and values written together (one set, one batch, one flush).
public struct NodeBatch: Sendable {
    /// `(id, node)` pairs.
    public var nodes: [(NodeHash, Node)] = []
    /// `(value hash, value)` pairs.
    public var values: [(NodeHash, UInt256)] = []

    /// An empty batch.
    public init() {}

    /// Whether there is nothing to write.
    public var isEmpty: Bool { nodes.isEmpty && values.isEmpty }

    /// Appends another batch.
    public mutating func append(contentsOf other: NodeBatch) {
        nodes.append(contentsOf: other.nodes)
        values.append(contentsOf: other.values)
    }
}

extension NodeStore {
    /// Ignores the location and looks `hash` up.
    @inlinable
    public func node(_ hash: NodeHash, childOf parent: NodeLocation, side: Int) throws(SMTError) -> (Node, NodeLocation)? {
        try node(hash).map { ($0, .unknown) }
    }

    /// Ignores the location and looks `hash` up.
    @inlinable
    public func value(_ hash: NodeHash, ofLeaf leaf: NodeLocation) throws(SMTError) -> UInt256? {
        try value(hash)
    }

    /// The node with id `hash`, or ``SMTError/nodeNotFound(_:)``.
    @inlinable
    public func existingNode(_ hash: NodeHash) throws(SMTError) -> Node {
        guard let node = try node(hash) else { throw .nodeNotFound(hash) }
        return node
    }

    /// The value with hash `hash`, or ``SMTError/valueNotFound(_:)``.
    @inlinable
    public func existingValue(_ hash: NodeHash) throws(SMTError) -> UInt256 {
        guard let value = try value(hash) else { throw .valueNotFound(hash) }
        return value
    }
}

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

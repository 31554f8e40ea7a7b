import Goldilocks

/// What can go wrong walking or writing the tree.
public enum SMTError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A node the walk needs is not in the store.
    case nodeNotFound(NodeHash)
    /// A value preimage the walk needs is not in the store.
    case valueNotFound(NodeHash)
    /// A stored node is malformed.
    case invalidNode(String)
    /// The store failed underneath.
    case store(String)

    public var description: String {
        switch self {
        case let .nodeNotFound(h): return "node \(h.hexString) not found in the store"
        case let .valueNotFound(h): return "value with hash \(h.hexString) not found in the store"
        case let .invalidNode(why): return "invalid node: \(why)"
        case let .store(why): return "store error: \(why)"
        }
    }
}

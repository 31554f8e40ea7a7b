import Goldilocks
import SMT

/// What can go wrong in the HashDB; every case says which thing and why.
public enum HashDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No layer has the node.
    case nodeNotFound(Digest)
    /// No layer has the program.
    case programNotFound(Digest)
    /// A stored node has the wrong number of elements, or is otherwise unusable.
    case invalidNode(Digest, NodeDataError)
    /// A stored node's preimage does not hash to its key.
    case corruptNode(Digest, actual: Digest?)
    /// The store cannot be reached (location without password).
    case storeUnreachable(location: String, reason: String)
    /// A query or transaction failed (location without password).
    case storeFailed(location: String, reason: String)
    /// The store's tables are not what the prover's schema requires.
    case schemaMismatch(String)
    /// A configuration value is malformed: which key, and what was expected.
    case invalidConfiguration(key: String, reason: String)
    /// A request argument is malformed: which field, and what was expected.
    case invalidArgument(field: String, reason: String)
    /// Batch bookkeeping refused the request (the prover's STATE_MANAGER result).
    case stateManager(String)
    /// The store is opened read-only.
    case readOnly
    /// The HashDB is shutting down.
    case shuttingDown

    public var description: String {
        switch self {
        case let .nodeNotFound(h): return "node \(h.hexString) not found"
        case let .programNotFound(h): return "program \(h.hexString) not found"
        case let .invalidNode(h, why): return "node \(h.hexString) is invalid: \(why)"
        case let .corruptNode(h, actual):
            return "node \(h.hexString) is corrupt: its preimage hashes to \(actual?.hexString ?? "nothing (non-canonical element)")"
        case let .storeUnreachable(location, reason): return "store \(location) unreachable: \(reason)"
        case let .storeFailed(location, reason): return "store \(location) failed: \(reason)"
        case let .schemaMismatch(why): return "store schema mismatch: \(why)"
        case let .invalidConfiguration(key, reason): return "configuration \(key): \(reason)"
        case let .invalidArgument(field, reason): return "\(field): \(reason)"
        case let .stateManager(why): return "state manager: \(why)"
        case .readOnly: return "the store is read-only"
        case .shuttingDown: return "the HashDB is shutting down"
        }
    }

    /// The same failure as the tree reports it.
    public var smtError: SMTError {
        switch self {
        case let .nodeNotFound(h): return .nodeNotFound(h)
        case let .invalidNode(h, why): return .invalidNode("\(h.hexString): \(why)")
        default: return .store(description)
        }
    }
}

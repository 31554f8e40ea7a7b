import Goldilocks
import SMT

/// A ``SparseMerkleTree`` that records every read and write, in order, as the storage
/// executor's input (spec storage-sm §1: the actions in the order the Main SM made them).
public struct SMTActionRecorder<Store: NodeStore>: Sendable {
    /// The tree the operations run on.
    public let tree: SparseMerkleTree<Store>
    /// The actions so far, oldest first.
    public private(set) var actions: [SMTAction] = []

    /// Whether each action carries the hashes of its paths read from the store
    /// (``SMTAction/knownHashes``), so that the executor need not recompute them.
    public var recordsKnownHashes: Bool

    /// A recorder over `tree`, with no actions yet; `knownHashes` chooses whether actions carry
    /// the tree's hashes of their paths.
    public init(tree: SparseMerkleTree<Store>, knownHashes: Bool = true) {
        self.tree = tree
        self.recordsKnownHashes = knownHashes
    }

    /// Reads `key` under `root` and records the GET.
    @discardableResult
    public mutating func get(root: NodeHash, key: SMTKey) throws(SMTError) -> GetResult {
        let result = try tree.get(root: root, key: key)
        var action = SMTAction(result)
        if recordsKnownHashes {
            try KnownHashCollector.collect(root: root, key: key, store: tree.store, into: &action.knownHashes)
        }
        actions.append(action)
        return result
    }

    /// Writes `value` under `key` from `root` and records the SET (0 deletes).
    @discardableResult
    public mutating func set(root: NodeHash, key: SMTKey, value: UInt256) throws(SMTError) -> SetResult {
        let result = try tree.set(root: root, key: key, value: value)
        var action = SMTAction(result)
        if recordsKnownHashes {
            try KnownHashCollector.collect(root: result.oldRoot, key: key, store: tree.store, into: &action.knownHashes)
            if result.newRoot != result.oldRoot {
                try KnownHashCollector.collect(root: result.newRoot, key: key, store: tree.store, into: &action.knownHashes)
            }
        }
        actions.append(action)
        return result
    }

    /// Forgets the recorded actions (the tree keeps its nodes).
    public mutating func removeAllActions() {
        actions.removeAll()
    }
}

import Goldilocks
import SMT

/// A ``SparseMerkleTree`` that records every read and write, in order, as the storage
/// executor's input (spec storage-sm §1: the actions in the order the Main SM made them).
public struct SMTActionRecorder<Store: NodeStore>: Sendable {
    /// The tree the operations run on.
    public let tree: SparseMerkleTree<Store>
    /// The actions so far, oldest first.
    public private(set) var actions: [SMTAction] = []

    /// A recorder over `tree`, with no actions yet.
    public init(tree: SparseMerkleTree<Store>) {
        self.tree = tree
    }

    /// Reads `key` under `root` and records the GET.
    @discardableResult
    public mutating func get(root: NodeHash, key: SMTKey) throws(SMTError) -> GetResult {
        let result = try tree.get(root: root, key: key)
        actions.append(SMTAction(result))
        return result
    }

    /// Writes `value` under `key` from `root` and records the SET (0 deletes).
    @discardableResult
    public mutating func set(root: NodeHash, key: SMTKey, value: UInt256) throws(SMTError) -> SetResult {
        let result = try tree.set(root: root, key: key, value: value)
        actions.append(SMTAction(result))
        return result
    }

    /// Forgets the recorded actions (the tree keeps its nodes).
    public mutating func removeAllActions() {
        actions.removeAll()
    }
}

import Goldilocks
import SMT

/// The context of the current action (spec storage-sm §1.5): the path bits the ROM climbs,
/// the remaining keys of the action's key and of the other leaf, and the level to start from.
public struct SMTActionContext: Sendable, Equatable {
    /// `bits[i]` = key path bit at depth i, for i < `level`.
    public var bits: [Int]
    /// The action key with `level` path bits removed.
    public var rkey: Digest
    /// The other leaf's key (`insKey`) with `level` path bits removed.
    public var siblingRkey: Digest
    /// ctxLevel: S for GET, update, deleteNotFound, zeroToZero, insertNotFound; D (first depth
    /// where key and insKey differ, plus one) for insertFound and deleteFound.
    public var level: Int

    /// The context of `action`; `actionIndex` only labels errors.
    public init(_ action: SMTAction, actionIndex: Int) throws(StorageExecutorError) {
        let s = action.siblings.count
        guard s <= 256 else {
            throw .invalidAction(index: actionIndex, field: "siblings", reason: "\(s) levels, at most 256")
        }
        switch action.kind {
        case .set(.insertFound), .set(.deleteFound):
            let split = action.key.firstDifferingDepth(from: action.insKey)
            guard split < 256 else {
                throw .invalidAction(index: actionIndex, field: "insKey", reason: "equals the key: no differing bit")
            }
            guard split + 1 >= s + 1 else {
                throw .invalidAction(index: actionIndex, field: "insKey",
                                     reason: "first differing depth \(split) is above the \(s) sibling levels")
            }
            level = split + 1
        case .set(.deleteNotFound) where s > 0:
            // The ROM rebuilds the sibling branch from its two children and never reads the
            // sibling's id, so an id that disagrees with them would pass unseen: refuse it here.
            let sibling = action.siblings[s - 1][1 - action.key.pathBit(at: s - 1)]
            guard TreeHash.branch(action.siblingLeftChild, action.siblingRightChild) == sibling else {
                throw .invalidAction(index: actionIndex, field: "siblings",
                                     reason: "the last level's sibling is not the branch of siblingLeftChild and siblingRightChild")
            }
            level = s
        default:
            level = s
        }
        bits = (0..<level).map { action.key.pathBit(at: $0) }
        rkey = action.key.removingPathBits(level)
        siblingRkey = action.insKey.removingPathBits(level)
    }
}

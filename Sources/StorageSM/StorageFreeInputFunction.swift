/// The free-input functions a storage ROM line may call (`freeInTag.funcName`, spec §2, §3.3).
/// `GetTopTree` and `isSetDeleteLast` are implemented by both references but unused by the
/// shipped ROM.
public enum StorageFreeInputFunction: String, Sendable, Hashable, CaseIterable {
    /// 1 when the list is exhausted or the action's (new) value is 0.
    case isValueZero
    /// Chunks 0–3 of the action's (new) value.
    case GetValueLow
    /// Chunks 4–7 of the action's (new) value.
    case GetValueHigh
    /// 1 when the action is a GET.
    case isGet
    /// 1 when the action is a SET in mode update.
    case isSetUpdate
    /// 1 when the action is a SET in mode insertFound.
    case isSetInsertFound
    /// 1 when the action is a SET in mode insertNotFound.
    case isSetInsertNotFound
    /// 1 when the action is a SET in mode deleteFound.
    case isSetDeleteFound
    /// 1 when the action is a SET in mode deleteNotFound.
    case isSetDeleteNotFound
    /// 1 when the action is a SET in mode zeroToZero.
    case isSetZeroToZero
    /// Never 1: the SMT no longer emits deleteLast (unused by the ROM).
    case isSetDeleteLast
    /// The remaining key of the action context.
    case GetRkey
    /// The remaining key of the other leaf.
    case GetSiblingRkey
    /// 1 when the path ended in an empty slot.
    case GetIsOld0
    /// Chunks 0–3 of the other leaf's value.
    case GetSiblingValueLow
    /// Chunks 4–7 of the other leaf's value.
    case GetSiblingValueHigh
    /// Chunks 0–3 of the SET's old value.
    case GetOldValueLow
    /// Chunks 4–7 of the SET's old value.
    case GetOldValueHigh
    /// The context level (S or D).
    case GetLevel
    /// The next key bit, climbing up.
    case GetNextKeyBit
    /// The sibling hash at the current level.
    case GetSiblingHash
    /// 1 while the level is inside the created/removed branch.
    case GetTopOfBranch
    /// 1 while the level is above 0 (unused by the ROM).
    case GetTopTree
    /// deleteNotFound: the deepest sibling's left child.
    case GetSiblingLeftChildHash
    /// deleteNotFound: the deepest sibling's right child.
    case GetSiblingRightChildHash
    /// 1 on row N−2 only.
    case isAlmostEndPolynomial
}

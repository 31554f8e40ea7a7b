import Goldilocks
import SMT

/// One SMT read or write the Main SM made, the storage executor's input (spec storage-sm §1).
/// GET and SET share one layout: a GET's root is both `oldRoot` and `newRoot`, its value both
/// `oldValue` and `newValue`.
public struct SMTAction: Sendable, Equatable {
    /// GET, or SET with the case it took.
    public enum Kind: Sendable, Hashable {
        /// A read (Main `sRD`).
        case get
        /// A write (Main `sWR`) and its mode.
        case set(SetMode)
    }

    /// GET or SET (with mode).
    public var kind: Kind
    /// The full SMT key.
    public var key: SMTKey
    /// The branches on the path, root first (level i = siblings[i]); S = `siblings.count`.
    public var siblings: [Branch]
    /// The other leaf's key met at the end of the path, zero when none.
    public var insKey: SMTKey
    /// The other leaf's value, 0 when none.
    public var insValue: UInt256
    /// True when the path ends in an empty slot (no other leaf).
    public var isOld0: Bool
    /// Poseidon hashes the storage ROM executes for this action (JS `incCounter`).
    public var proofHashCounter: Int
    /// SET: the root before; GET: the root read.
    public var oldRoot: NodeHash
    /// SET: the root after; GET: the root read.
    public var newRoot: NodeHash
    /// SET: the value before (0 if absent); GET: the value read.
    public var oldValue: UInt256
    /// SET: the value written; GET: the value read.
    public var newValue: UInt256
    /// deleteNotFound with S > 0: the deepest sibling's left child; zero otherwise.
    public var siblingLeftChild: NodeHash
    /// deleteNotFound with S > 0: the deepest sibling's right child; zero otherwise.
    public var siblingRightChild: NodeHash
    /// Hashes the tree already computed for this action's paths (see ``SMTActionRecorder``): the
    /// executor reuses them instead of recomputing Poseidon; empty means compute every hash.
    public var knownHashes: [KnownHash] = []

    /// The action of a GET.
    public init(_ get: GetResult) {
        kind = .get
        key = get.key
        siblings = get.siblings
        insKey = get.insKey ?? .zero
        insValue = get.insValue ?? .zero
        isOld0 = get.isOld0
        proofHashCounter = get.proofHashCounter
        oldRoot = get.root
        newRoot = get.root
        oldValue = get.value
        newValue = get.value
        siblingLeftChild = .zero
        siblingRightChild = .zero
    }

    /// The action of a SET.
    public init(_ set: SetResult) {
        kind = .set(set.mode)
        key = set.key
        siblings = set.siblings
        insKey = set.insKey ?? .zero
        insValue = set.insValue ?? .zero
        isOld0 = set.isOld0
        proofHashCounter = set.proofHashCounter
        oldRoot = set.oldRoot
        newRoot = set.newRoot
        oldValue = set.oldValue
        newValue = set.newValue
        siblingLeftChild = set.siblingLeftChild ?? .zero
        siblingRightChild = set.siblingRightChild ?? .zero
    }

    /// True for a SET.
    public var isSet: Bool { kind != .get }

    /// The SET mode, nil for a GET.
    public var mode: SetMode? {
        if case let .set(m) = kind { return m }
        return nil
    }

    /// GET: the root read (same as `oldRoot`).
    public var root: NodeHash { oldRoot }

    /// GET: the value read; SET: the value written (what the ROM's `GetValueLow/High` return).
    public var value: UInt256 { newValue }
}

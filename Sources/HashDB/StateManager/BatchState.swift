import Goldilocks

/// Everything an in-flight batch has written, organised so reverted work can be dropped
/// (hashdb spec §5.1).
///
/// ```
///  BatchState ── blocks[] ── Block ── txs[] ── TxState ── slots[4] (one per Persistence)
///      │                                                     └── Slot ── subStates[] (one per Set)
///      └── nodes / programs: every write of the batch, for reads inside it
/// ```
/// Roots are optional: nil is the reference's "empty" (not yet seen), distinct from the zero
/// root of the empty tree.
struct BatchState: Sendable {
    /// One Set: the roots it went between and the nodes it wrote.
    struct SubState: Sendable {
        var oldRoot: Digest
        var newRoot: Digest
        var written: [Digest]
    }
    /// One persistence slot of a transaction.
    struct Slot: Sendable {
        var oldRoot: Digest?
        var newRoot: Digest?
        var subStates: [SubState] = []
        var programs: [Digest: [UInt8]] = [:]
    }
    /// One transaction: four slots, indexed by ``Persistence/rawValue``.
    struct TxState: Sendable {
        var slots = [Slot](repeating: Slot(), count: Persistence.allCases.count)
    }
    /// One L2 block.
    struct Block: Sendable {
        var oldRoot: Digest?
        var currentRoot: Digest?
        var txs: [TxState] = []
        var currentTx = 0
    }

    var oldRoot: Digest?
    var currentRoot: Digest?
    var blocks: [Block] = []
    var currentBlock = 0
    var nodes: [Digest: NodeData] = [:]
    var programs: [Digest: [UInt8]] = [:]
    var lastUsed: ContinuousClock.Instant

    init(now: ContinuousClock.Instant) { lastUsed = now }

    /// Opens block `b` and tx `t` as a Set or SetProgram does (spec §5.2 step 1), returning
    /// whether the slot accepts a new sub-state.
    mutating func open(block b: Int, tx t: Int, root: Digest?, persistence p: Persistence) {
        if p.carriesState, oldRoot == nil, let root { oldRoot = root }
        if let root { currentRoot = root }
        if b >= blocks.count {
            blocks.append(contentsOf: [Block](repeating: Block(), count: b + 1 - blocks.count))
            currentBlock = blocks.count - 1
        }
        if p.carriesState, blocks[b].oldRoot == nil, let root { blocks[b].oldRoot = root }
        if t >= blocks[b].txs.count {
            blocks[b].txs.append(contentsOf: [TxState](repeating: TxState(), count: t + 1 - blocks[b].txs.count))
            blocks[b].currentTx = t
        }
    }
}

import Dispatch
import Foundation
import Goldilocks
import Synchronization

/// One write of a batch, with its value hash once computed.
@usableFromInline
struct BatchEntry {
    var key: SMTKey
    var value: UInt256
    var valueHash: NodeHash = .zero
}

/// A subtree after a batch was applied to it, before it is placed at its final depth.
private enum Subtree {
    /// Nothing left.
    case empty
    /// A single leaf, not hashed yet: its hash depends on the depth it ends up at.
    case leaf(key: SMTKey, valueHash: NodeHash)
    /// A new branch, hashed and written.
    case branch(NodeHash)
    /// An existing subtree the batch did not touch (a branch or a leaf).
    case unchanged(NodeHash)
}

/// Counts entries placed, for progress reports while a large batch runs.
public final class BatchProgress: Sendable {
    private let placed = Atomic<Int>(0)
    /// Entries in the batch (after removing repeated keys).
    public let total: Atomic<Int> = Atomic(0)

    /// A new counter.
    public init() {}

    /// Entries whose subtree is finished so far.
    public var completed: Int { placed.load(ordering: .relaxed) }

    func add(_ n: Int) { placed.add(n, ordering: .relaxed) }
}

extension SparseMerkleTree {
    /// Applies a whole batch of writes (value 0 deletes) to `root` and returns the new root.
    ///
    /// The result equals applying the same writes one by one with ``set(root:key:value:)``
    /// (a key written twice keeps its last value), but each touched node is hashed once:
    /// the batch is split by path bit down the tree, unchanged subtrees are kept by hash, new
    /// subtrees are built bottom-up, and the top levels run on all cores. Nodes are written to
    /// the store in one batch at the end, so a failure writes nothing.
    public func setMany(
        root: NodeHash, _ writes: some Collection<(SMTKey, UInt256)>, progress: BatchProgress? = nil
    ) throws(SMTError) -> NodeHash {
        // Last write wins.
        var position = [SMTKey: Int](minimumCapacity: writes.count)
        var entries = [BatchEntry]()
        entries.reserveCapacity(writes.count)
        for (key, value) in writes {
            if let i = position[key] {
                entries[i].value = value
            } else {
                position[key] = entries.count
                entries.append(BatchEntry(key: key, value: value))
            }
        }
        position = [:]
        progress?.total.store(entries.count, ordering: .relaxed)
        if entries.isEmpty { return root }

        return try entries.withUnsafeMutableBufferPointer { buffer throws(SMTError) -> NodeHash in
            let all = buffer
            // Value hashes: independent, so spread over the cores.
            let workers = BatchWorkers.count
            let stride = (all.count + workers - 1) / workers
            let shared = UnsafeSendable(all)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let all = shared.value
                let start = w * stride
                guard start < all.count else { return }
                for i in start..<min(all.count, start + stride) where !all[i].value.isZero {
                    all[i].valueHash = TreeHash.value(all[i].value)
                }
            }
            var builder = BatchBuilder(store: store, entries: all, progress: progress)
            let top = try builder.apply(root, depth: 0, all.startIndex..<all.endIndex)
            let newRoot = try builder.place(top, depth: 0)
            for e in all where !e.value.isZero { builder.batch.values.append((e.valueHash, e.value)) }
            try store.write(builder.batch)
            return newRoot
        }
    }
}

/// How many threads the top of a batch is split over.
enum BatchWorkers {
    static let count = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Subtrees at or above this depth with at least `minimumEntries` writes run in parallel.
    static let parallelDepth = 4
    static let minimumEntries = 2048
}

/// The recursive work of ``SparseMerkleTree/setMany(root:_:progress:)``.
private struct BatchBuilder<Store: NodeStore> {
    let store: Store
    let entries: UnsafeMutableBufferPointer<BatchEntry>
    let progress: BatchProgress?
    var batch = NodeBatch()

    init(store: Store, entries: UnsafeMutableBufferPointer<BatchEntry>, progress: BatchProgress?) {
        self.store = store
        self.entries = entries
        self.progress = progress
    }

    /// Applies `entries[range]` (all sharing their first `depth` path bits) to the subtree `hash`.
    mutating func apply(_ hash: NodeHash, depth: Int, _ range: Range<Int>) throws(SMTError) -> Subtree {
        if range.isEmpty { return hash.isZero ? .empty : .unchanged(hash) }
        if hash.isZero { return try build(depth: depth, range, existing: nil) }
        switch try store.existingNode(hash) {
        case let .leaf(remainingKey, valueHash):
            let key = remainingKey.joiningPath(of: entries[range.lowerBound].key, depth: depth)
            let overridden = range.contains { entries[$0].key == key }
            return try build(depth: depth, range, existing: overridden ? nil : (key, valueHash))
        case let .branch(left, right):
            let mid = partition(range, depth: depth)
            let (l, r) = try both(depth: depth, range.count,
                                  .apply(left, range.lowerBound..<mid), .apply(right, mid..<range.upperBound))
            return try combine(l, r, depth: depth, prefix: entries[range.lowerBound].key)
        }
    }

    /// Builds the subtree holding the non-zero writes of `range` plus an existing leaf.
    mutating func build(depth: Int, _ range: Range<Int>, existing: (SMTKey, NodeHash)?) throws(SMTError) -> Subtree {
        var live = existing == nil ? 0 : 1
        var last = -1
        for i in range where !entries[i].value.isZero {
            live += 1
            last = i
            if live > 1 { break }
        }
        switch live {
        case 0:
            progress?.add(range.count)
            return .empty
        case 1:
            progress?.add(range.count)
            if let (key, valueHash) = existing { return .leaf(key: key, valueHash: valueHash) }
            return .leaf(key: entries[last].key, valueHash: entries[last].valueHash)
        default:
            let mid = partition(range, depth: depth)
            let existingSide = existing.map { $0.0.pathBit(at: depth) }
            let (l, r) = try both(depth: depth, range.count,
                                  .build(range.lowerBound..<mid, existing: existingSide == 0 ? existing : nil),
                                  .build(mid..<range.upperBound, existing: existingSide == 1 ? existing : nil))
            // live > 1 means at least one write is in range.
            return try combine(l, r, depth: depth, prefix: entries[range.lowerBound].key)
        }
    }

    /// Joins two children into the subtree at `depth`, pulling a lone leaf up.
    mutating func combine(_ l: Subtree, _ r: Subtree, depth: Int, prefix: SMTKey) throws(SMTError) -> Subtree {
        switch (l, r) {
        case (.empty, .empty):
            return .empty
        case (.empty, .leaf), (.leaf, .empty):
            return l.isEmpty ? r : l
        case let (.empty, .unchanged(h)), let (.unchanged(h), .empty):
            let side = l.isEmpty ? 1 : 0
            if case let .leaf(remainingKey, valueHash) = try store.existingNode(h) {
                let flipped = prefix.pathBit(at: depth) == side ? -1 : depth
                let key = remainingKey.joiningPath(of: prefix, depth: depth + 1, flippedDepth: flipped)
                return .leaf(key: key, valueHash: valueHash)
            }
            fallthrough
        default:
            let left = try place(l, depth: depth + 1)
            let right = try place(r, depth: depth + 1)
            let h = TreeHash.branch(left, right)
            batch.nodes.append((h, .branch(left: left, right: right)))
            return .branch(h)
        }
    }

    /// The hash of `subtree` placed at `depth` (a pending leaf is hashed and written here).
    mutating func place(_ subtree: Subtree, depth: Int) throws(SMTError) -> NodeHash {
        switch subtree {
        case .empty: return .zero
        case let .branch(h), let .unchanged(h): return h
        case let .leaf(key, valueHash):
            let remainingKey = key.removingPathBits(depth)
            let h = TreeHash.leaf(remainingKey, valueHash)
            batch.nodes.append((h, .leaf(remainingKey: remainingKey, valueHash: valueHash)))
            return h
        }
    }

    /// Reorders `range` so writes with path bit 0 at `depth` come first; returns the split.
    func partition(_ range: Range<Int>, depth: Int) -> Int {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi {
            if entries[lo].key.pathBit(at: depth) == 0 {
                lo += 1
            } else {
                hi -= 1
                entries.swapAt(lo, hi)
            }
        }
        return lo
    }

    /// One half of a subtree's work.
    enum Work {
        case apply(NodeHash, Range<Int>)
        case build(Range<Int>, existing: (SMTKey, NodeHash)?)
    }

    mutating func run(_ work: Work, depth: Int) throws(SMTError) -> Subtree {
        switch work {
        case let .apply(hash, range): return try apply(hash, depth: depth, range)
        case let .build(range, existing): return try build(depth: depth, range, existing: existing)
        }
    }

    /// Runs the two halves below `depth`, concurrently near the top of a large batch.
    mutating func both(depth: Int, _ count: Int, _ first: Work, _ second: Work) throws(SMTError) -> (Subtree, Subtree) {
        guard depth < BatchWorkers.parallelDepth, count >= BatchWorkers.minimumEntries, BatchWorkers.count > 1 else {
            return (try run(first, depth: depth + 1), try run(second, depth: depth + 1))
        }
        let results = UnsafeMutableBufferPointer<Result<(Subtree, NodeBatch), SMTError>?>.allocate(capacity: 2)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let task = UnsafeSendable((BatchBuilder(store: store, entries: entries, progress: progress), [first, second], results))
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let (template, work, results) = task.value
            var builder = template
            results[i] = Result { () throws(SMTError) -> (Subtree, NodeBatch) in
                let subtree = try builder.run(work[i], depth: depth + 1)
                return (subtree, builder.batch)
            }
        }
        guard let left = results[0], let right = results[1] else { fatalError("concurrentPerform skipped a half") }
        let (l, lb) = try left.get()
        let (r, rb) = try right.get()
        batch.append(contentsOf: lb)
        batch.append(contentsOf: rb)
        return (l, r)
    }
}

extension Subtree {
    var isEmpty: Bool {
        if case .empty = self { return true }
        return false
    }
}

/// Carries values into `concurrentPerform`'s closure; each task touches disjoint data.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

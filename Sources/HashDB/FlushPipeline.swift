import Foundation
import Goldilocks
import Synchronization

/// The asynchronous writer between the HashDB and its store (hashdb spec §7).
///
/// ```
///  enqueue ─▶ pending ──(flush: id = ++lastFlushId)──▶ storing ──commit──▶ store
///                │                                       │                  └─ storedFlushId = id
///                └──────── reads see both ───────────────┘                     (durable, survives a crash)
/// ```
/// One writer thread commits one set per store transaction, with the flush id in the same
/// transaction, so a reported `storedFlushId` is durable and never goes back across restarts
/// (ids continue from the store's bookkeeping). A failed commit leaves the store as it was and is
/// retried with capped exponential back-off while new work keeps accumulating in pending; a flush
/// waits (back-pressure) while pending is over its limit and a set is still being stored.
public final class FlushPipeline: @unchecked Sendable {
    /// Rows waiting to be written.
    struct RowSet {
        var nodes: [Digest: NodeData] = [:]
        var programs: [Digest: [UInt8]] = [:]
        var stateRoot: Digest?
        var bytes = 0
        var isEmpty: Bool { nodes.isEmpty && programs.isEmpty && stateRoot == nil }
    }

    /// A set already stored, kept for GetFlushData.
    public struct StoredSet: Sendable {
        /// The flush id it completed.
        public var flushId: UInt64
        /// Its nodes.
        public var nodes: [Digest: NodeData]
        /// Its programs.
        public var programs: [Digest: [UInt8]]
        /// The root row's new value, if it changed.
        public var stateRoot: Digest?
    }

    /// The counters GetFlushStatus reports.
    public struct Status: Sendable, Equatable {
        /// Last flush id whose data is durably stored.
        public var storedFlushId: UInt64
        /// Flush id of the set being written (equals stored when idle).
        public var storingFlushId: UInt64
        /// Last flush id assigned.
        public var lastFlushId: UInt64
        /// Nodes waiting in pending.
        public var pendingNodes: Int
        /// Programs waiting in pending.
        public var pendingPrograms: Int
        /// Nodes of the set being written.
        public var storingNodes: Int
        /// Programs of the set being written.
        public var storingPrograms: Int
        /// Commits that failed (each is retried).
        public var failedCommits: Int
    }

    /// The store written to.
    public let store: any PersistentStore
    /// Whether writes are discarded (read-only mode: flush ids stay 0).
    public let readOnly: Bool
    private let pendingLimit: Int
    private let retained: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var pending = RowSet()
    private var storing: RowSet?
    private var lastFlushId: UInt64
    private var storingFlushId: UInt64
    private var storedFlushId: UInt64
    private var latestRoot: Digest
    private var storedSets: [StoredSet] = []
    private var droppedUpTo: UInt64 = 0
    private var lastError: HashDBError?
    private var failures = 0
    private var backoff = 0.05
    private var stopping = false
    private var stopped = false
    private var thread: Thread?
    /// ``flushData(after:timeout:)`` callers, by waiter id, from the call until they are resumed.
    private var waiters: [UInt64: WaiterState] = [:]
    private var lastWaiterId: UInt64 = 0
    /// Whether pending or storing may hold rows: lets reads skip the lock when nothing is queued.
    private let holdsRows = Atomic<Bool>(false)

    /// Starts the writer for `store`. `pendingLimitBytes` bounds pending before a flush waits;
    /// `retainedSets` stored sets are kept for ``flushData(after:timeout:)``.
    public init(store: any PersistentStore, readOnly: Bool = false, pendingLimitBytes: Int = 1 << 30,
                retainedSets: Int = 16) throws(HashDBError) {
        self.store = store
        self.readOnly = readOnly
        pendingLimit = pendingLimitBytes
        retained = retainedSets
        let id = readOnly ? 0 : try store.storedFlushId()
        lastFlushId = id; storingFlushId = id; storedFlushId = id
        latestRoot = try store.stateRoot()
        guard !readOnly else { return }
        let t = Thread { [weak self] in
            while let pipeline = self, pipeline.writerStep() {}
        }
        t.name = "zkstate.flush"
        thread = t
        t.start()
    }

    // MARK: Writing

    /// Queues rows for the store (they become durable at a later flush).
    public func enqueue(nodes: some Sequence<(Digest, NodeData)>, programs: some Sequence<(Digest, [UInt8])> = [],
                        stateRoot: Digest? = nil) {
        condition.lock(); defer { condition.unlock() }
        guard !readOnly else { return }
        holdsRows.store(true, ordering: .releasing)
        for (h, n) in nodes where pending.nodes.updateValue(n, forKey: h) == nil { pending.bytes += 128 }
        for (h, p) in programs where pending.programs.updateValue(p, forKey: h) == nil { pending.bytes += 64 + p.count }
        if let stateRoot { pending.stateRoot = stateRoot; latestRoot = stateRoot }
    }

    /// Assigns a flush id to everything queued so far and wakes the writer. With `wait`, returns
    /// only once that id is stored (or throws the store's error after `timeout`).
    @discardableResult
    public func flush(wait: Bool = false, timeout: Duration = .seconds(600)) throws(HashDBError) -> (flushId: UInt64, storedFlushId: UInt64) {
        condition.lock(); defer { condition.unlock() }
        guard !readOnly else { pending = RowSet(); return (0, 0) }
        guard !stopping else { throw .shuttingDown }
        while pending.bytes > pendingLimit, storing != nil, !stopping { condition.wait() }
        lastFlushId += 1
        let id = lastFlushId
        condition.broadcast()
        if wait {
            let deadline = Date().addingTimeInterval(timeout.timeInterval)
            while storedFlushId < id {
                if !condition.wait(until: deadline) {
                    throw lastError ?? .storeFailed(location: store.location, reason: "flush \(id) not stored after \(timeout)")
                }
            }
        }
        return (id, storedFlushId)
    }

    // MARK: Reading

    /// A node queued or being written, or nil.
    public func node(_ hash: Digest) -> NodeData? {
        guard holdsRows.load(ordering: .acquiring) else { return nil }
        condition.lock(); defer { condition.unlock() }
        return pending.nodes[hash] ?? storing?.nodes[hash]
    }

    /// A program queued or being written, or nil.
    public func program(_ hash: Digest) -> [UInt8]? {
        guard holdsRows.load(ordering: .acquiring) else { return nil }
        condition.lock(); defer { condition.unlock() }
        return pending.programs[hash] ?? storing?.programs[hash]
    }

    /// The flush counters; never waits for the store.
    public var status: Status {
        condition.lock(); defer { condition.unlock() }
        return Status(storedFlushId: storedFlushId, storingFlushId: storing == nil ? storedFlushId : storingFlushId,
                      lastFlushId: lastFlushId, pendingNodes: pending.nodes.count, pendingPrograms: pending.programs.count,
                      storingNodes: storing?.nodes.count ?? 0, storingPrograms: storing?.programs.count ?? 0,
                      failedCommits: failures)
    }

    /// The root of the most recent DATABASE write accepted (queued or stored).
    public var latestStateRoot: Digest {
        condition.lock(); defer { condition.unlock() }
        return latestRoot
    }

    /// Forgets the latest root (after a reset of the store).
    public func resetLatestRoot() {
        condition.lock(); defer { condition.unlock() }
        latestRoot = .zero
    }

    /// The last commit error, if the last commit failed.
    public var lastCommitError: HashDBError? {
        condition.lock(); defer { condition.unlock() }
        return lastError
    }

    /// Waits up to `timeout` until a flush id above `flushId` is stored, then returns the retained
    /// sets stored after `flushId` (nil when some of that range is no longer retained; empty on
    /// timeout or cancellation) and the current stored id. The wait is a suspension, not a
    /// blocked thread: any number of callers may wait at once.
    public func flushData(after flushId: UInt64, timeout: Duration) async -> (sets: [StoredSet]?, storedFlushId: UInt64) {
        let id = condition.withLock {
            lastWaiterId += 1
            waiters[lastWaiterId] = .starting(cancelled: false)
            return lastWaiterId
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                condition.lock()
                guard storedFlushId <= flushId, !stopping, case .starting(cancelled: false) = waiters[id] else {
                    waiters[id] = nil
                    condition.unlock()
                    continuation.resume()
                    return
                }
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.wakeWaiter(id)
                }
                waiters[id] = .waiting(Waiter(after: flushId, continuation: continuation, timer: timer))
                condition.unlock()
            }
        } onCancel: {
            wakeWaiter(id)
        }
        return condition.withLock { storedFlushId > flushId || stopping ? storedSets(after: flushId) : ([], storedFlushId) }
    }

    /// Ends waiter `id`'s wait (its timeout or its cancellation): resumes it if it waits, marks
    /// it cancelled if it has not started waiting yet, does nothing once it was resumed.
    private func wakeWaiter(_ id: UInt64) {
        condition.lock()
        var waiter: Waiter?
        switch waiters[id] {
        case .starting: waiters[id] = .starting(cancelled: true)
        case let .waiting(w): waiter = w; waiters[id] = nil
        case nil: break
        }
        condition.unlock()
        waiter?.resume()
    }

    /// Removes the waiting callers `ready` selects (called with the lock held); the caller
    /// resumes them after unlocking.
    private func takeWaiters(where ready: (Waiter) -> Bool) -> [Waiter] {
        var woken: [(UInt64, Waiter)] = []
        for (id, state) in waiters {
            if case let .waiting(w) = state, ready(w) { woken.append((id, w)) }
        }
        for (id, _) in woken { waiters[id] = nil }
        return woken.map(\.1)
    }

    /// The retained sets stored after `flushId` (called with the lock held).
    private func storedSets(after flushId: UInt64) -> (sets: [StoredSet]?, storedFlushId: UInt64) {
        if droppedUpTo > flushId { return (nil, storedFlushId) }
        return (storedSets.filter { $0.flushId > flushId }, storedFlushId)
    }

    /// Writes what is pending, stops the writer and waits for it.
    public func close() {
        condition.lock()
        if stopping { condition.unlock(); return }
        stopping = true
        if !pending.isEmpty { lastFlushId += 1 }
        condition.broadcast()
        let woken = takeWaiters { _ in true }
        while thread != nil, !stopped { condition.wait() }
        condition.unlock()
        for waiter in woken { waiter.resume() }
    }

    // MARK: The writer

    /// One turn of the writer: waits for work (at most 5 s) or commits one set. Returns false
    /// once the pipeline is stopped. The thread holds the pipeline only during a turn, so a
    /// pipeline nobody closes is still freed (its thread then ends).
    private func writerStep() -> Bool {
        condition.lock()
        if storing == nil {
            let wanted = lastFlushId > storedFlushId || pending.bytes > pendingLimit
            if !wanted {
                if stopping { return finish() }
                _ = condition.wait(until: Date().addingTimeInterval(5))
                condition.unlock()
                return true
            }
            storing = pending
            pending = RowSet()
            storingFlushId = lastFlushId
        }
        let set = storing!, id = storingFlushId
        condition.unlock()
        let write = StoreWrite(nodes: Array(set.nodes), programs: Array(set.programs), stateRoot: set.stateRoot,
                               flushId: id)
        var error: HashDBError?
        do { try store.commit(write) } catch let e { error = e }
        condition.lock()
        if let error {
            lastError = error
            failures += 1
            condition.broadcast()
            if stopping && failures > 3 { return finish() }
            let delay = backoff
            backoff = min(backoff * 2, 5)
            condition.unlock()
            Thread.sleep(forTimeInterval: delay)
            return true
        }
        backoff = 0.05
        lastError = nil
        storedFlushId = id
        storing = nil
        if pending.isEmpty { holdsRows.store(false, ordering: .releasing) }
        if !set.isEmpty {
            storedSets.append(StoredSet(flushId: id, nodes: set.nodes, programs: set.programs, stateRoot: set.stateRoot))
            if storedSets.count > retained {
                let dropped = storedSets.count - retained
                droppedUpTo = storedSets[dropped - 1].flushId
                storedSets.removeFirst(dropped)
            }
        }
        condition.broadcast()
        let woken = takeWaiters { $0.after < id }
        condition.unlock()
        for waiter in woken { waiter.resume() }
        return true
    }

    /// Marks the writer stopped (called with the lock held; releases it).
    private func finish() -> Bool {
        stopped = true
        condition.broadcast()
        condition.unlock()
        return false
    }
}

/// A ``FlushPipeline/flushData(after:timeout:)`` caller: registered at the call, waiting once
/// its continuation exists.
private enum WaiterState {
    case starting(cancelled: Bool)
    case waiting(Waiter)
}

/// A suspended ``FlushPipeline/flushData(after:timeout:)`` caller.
private struct Waiter {
    /// It waits for a stored flush id above this.
    var after: UInt64
    var continuation: CheckedContinuation<Void, Never>
    /// Resumes it at its timeout; cancelled when it is resumed first.
    var timer: Task<Void, Never>

    func resume() {
        timer.cancel()
        continuation.resume()
    }
}

extension Duration {
    /// The duration in seconds, fractions included (for `Date`-based waits).
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

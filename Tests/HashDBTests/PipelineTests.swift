import Foundation
import Goldilocks
import HashDB
import SMT
import Synchronization
import Testing

/// A memory store whose commits fail once its allowance is used up: an outage (allowance 0) or
/// an interruption part-way (allowance n); raising the allowance ends it.
final class GatedStore: PersistentStore {
    let inner = MemoryStore()
    let allowance: Atomic<Int>
    init(allowing commits: Int) { allowance = Atomic(commits) }
    func reopen() { allowance.store(.max / 2, ordering: .relaxed) }
    var location: String { "gated" }
    func readNode(_ hash: Digest) throws(HashDBError) -> NodeData? { try inner.readNode(hash) }
    func readNodes(_ hashes: [Digest]) throws(HashDBError) -> [Digest: NodeData] { try inner.readNodes(hashes) }
    func readProgram(_ hash: Digest) throws(HashDBError) -> [UInt8]? { try inner.readProgram(hash) }
    func commit(_ write: StoreWrite) throws(HashDBError) {
        guard allowance.subtract(1, ordering: .relaxed).newValue >= 0 else {
            allowance.add(1, ordering: .relaxed)
            throw .storeUnreachable(location: location, reason: "outage")
        }
        try inner.commit(write)
    }
    func stateRoot() throws(HashDBError) -> Digest { try inner.stateRoot() }
    func storedFlushId() throws(HashDBError) -> UInt64 { try inner.storedFlushId() }
    func metadata(_ key: String) throws(HashDBError) -> String? { try inner.metadata(key) }
    func scanNodes(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, NodeData)] { try inner.scanNodes(after: after, limit: limit) }
    func scanPrograms(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, [UInt8])] { try inner.scanPrograms(after: after, limit: limit) }
    func counts() throws(HashDBError) -> (nodes: Int, programs: Int) { try inner.counts() }
    func deleteAll() throws(HashDBError) { try inner.deleteAll() }
    func close() {}
}

/// A count shared by concurrent tasks.
private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

/// Threads of this process (Linux), or nil where /proc is not there.
private func threadCount() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") }) else { return nil }
    return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces))
}

@Suite("Flush pipeline")
struct PipelineTests {
    @Test("Async flush-data waiters hold no thread; a flush answers every one of them with its set")
    func asyncWaitersShareNoThreads() async throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        let before = db.flushStatus.storedFlushId
        let threadsBefore = threadCount()
        let waiting = Counter()
        let key = Digest(canonical: 5, 6, 7, 8)
        let results = try await withThrowingTaskGroup(of: (sets: [FlushPipeline.StoredSet]?, storedFlushId: UInt64).self) { group in
            for _ in 0..<400 {
                group.addTask {
                    waiting.value.add(1, ordering: .relaxed)
                    return await db.pipeline.flushData(after: before, timeout: .seconds(60))
                }
            }
            while waiting.value.load(ordering: .relaxed) < 400 { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(100))
            if let threadsBefore, let now = threadCount() {
                #expect(now - threadsBefore < 20, "400 waiters added \(now - threadsBefore) threads")
            }
            let root = try db.set(root: .zero, key: key, value: UInt256(3)).result.newRoot
            _ = try db.flush()
            var all: [(sets: [FlushPipeline.StoredSet]?, storedFlushId: UInt64)] = []
            for try await r in group { all.append(r) }
            return (all, root)
        }
        #expect(results.0.count == 400)
        for r in results.0 {
            #expect(r.storedFlushId > before)
            #expect(r.sets?.last?.stateRoot == results.1)
            #expect(r.sets?.contains { $0.nodes[results.1] != nil } == true)
        }
    }

    @Test("An async flush-data waiter returns empty at its timeout, at once when cancelled, and at close")
    func asyncWaiterEnds() async throws {
        let db = try HashDB(store: MemoryStore())
        let stored = db.flushStatus.storedFlushId
        let clock = ContinuousClock()
        var start = clock.now
        let timedOut = await db.pipeline.flushData(after: stored, timeout: .milliseconds(200))
        #expect(timedOut.sets?.isEmpty == true && timedOut.storedFlushId == stored)
        #expect(clock.now - start >= .milliseconds(150))
        start = clock.now
        let cancelled = Task { await db.pipeline.flushData(after: stored, timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(100))
        cancelled.cancel()
        #expect(await cancelled.value.sets?.isEmpty == true)
        #expect(clock.now - start < .seconds(30))
        start = clock.now
        let closing = Task { await db.pipeline.flushData(after: stored, timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(100))
        db.close()
        _ = await closing.value
        #expect(clock.now - start < .seconds(30))
    }

    @Test("A store outage: flushed data stays readable, is retried, and stored once the store is back")
    func outageIsRetried() throws {
        let store = GatedStore(allowing: 0)
        let db = try HashDB(store: store)
        defer { db.close() }
        let key = Digest(canonical: 1, 2, 3, 4)
        let root = try db.set(root: .zero, key: key, value: UInt256(77)).result.newRoot
        let (id, stored) = try db.flush()
        #expect(id == 1 && stored == 0)
        // The writer keeps failing: nothing is reported stored, reads are served from the pipeline.
        Thread.sleep(forTimeInterval: 0.3)
        #expect(db.flushStatus.storedFlushId == 0)
        #expect(db.flushStatus.failedCommits >= 1)
        #expect(db.pipeline.lastCommitError != nil)
        db.nodeCache.removeAll()
        #expect(try db.get(root: root, key: key).result.value == UInt256(77))
        #expect(try store.inner.counts().nodes == 0)
        // A synchronous flush during the outage reports the store's error after its timeout.
        #expect(throws: HashDBError.self) { try db.pipeline.flush(wait: true, timeout: .seconds(1)) }
        store.reopen()
        let (id2, _) = try db.flush(wait: true)
        #expect(db.flushStatus.storedFlushId >= id2)
        #expect(try store.inner.counts().nodes == 2)  // the leaf and its value
        #expect(try store.inner.stateRoot() == root)
        #expect(db.pipeline.lastCommitError == nil)
    }

    @Test("Idle batches are evicted; live ones stay")
    func idleEviction() throws {
        let manager = BatchStateManager(idleTimeout: .milliseconds(50))
        let record = { (batch: String) in
            BatchStateManager.SetRecord(batch: batch, block: 0, tx: 0, oldRoot: .zero, newRoot: Digest(canonical: 1, 0, 0, 0),
                                        persistence: .database, writes: [])
        }
        try manager.recordSet(record("idle"))
        Thread.sleep(forTimeInterval: 0.1)
        try manager.recordSet(record("live"))
        #expect(!manager.contains("idle") && manager.contains("live"))
        #expect(manager.evictedCount == 1)
    }

    @Test("Status never waits for the writer; ids only grow")
    func statusCounters() throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        var previous: UInt64 = 0
        for i in 0..<20 {
            _ = try db.set(root: db.latestStateRoot, key: Digest(canonical: UInt64(i), 1, 1, 1), value: UInt256(UInt64(i + 1)))
            let (id, stored) = try db.flush()
            #expect(id == previous + 1)
            #expect(stored <= id)
            previous = id
            let s = db.flushStatus
            #expect(s.storedFlushId <= s.storingFlushId && s.storingFlushId <= s.lastFlushId)
        }
        try db.flush(wait: true)
        #expect(db.flushStatus.storedFlushId == 21)
    }

    @Test("A stored node of the wrong size is reported as invalid, with its hash", arguments: [StoreKind.sqlite])
    func invalidSize(kind: StoreKind) throws {
        let t = try TestStore(kind)
        defer { t.remove() }
        let store = try t.open()
        store.close()
        let h = Digest(canonical: 9, 9, 9, 9)
        let key = StoreEncoding.key(h).map { String(format: "%02x", $0) }.joined()
        _ = try sqlite3(t.location, "INSERT INTO nodes VALUES (x'\(key)', x'\(String(repeating: "00", count: 40))');")
        let again = try t.open()
        defer { again.close() }
        #expect(throws: HashDBError.invalidNode(h, .wrongSize(5))) { _ = try again.readNode(h) }
        let db = try HashDB(store: again)
        #expect {
            _ = try db.get(root: h, key: .zero)
        } throws: { error in
            "\(error)".contains(h.hexString)
        }
    }
}

@Suite("Store copy")
struct StoreCopyTests {
    @Test("An interrupted full copy resumes where its last committed page ended")
    func resumes() throws {
        let source = MemoryStore()
        var g = SystemRandomNumberGenerator()
        let nodes = (0..<1000).map { _ in randomNode(&g) }
        try source.commit(StoreWrite(nodes: nodes, stateRoot: nodes[0].0))
        var copier = StoreCopy()
        copier.page = 100
        let destination = GatedStore(allowing: 4)
        #expect(throws: HashDBError.self) { _ = try copier.copyAll(from: source, to: destination) }
        #expect(try destination.inner.counts().nodes == 400)
        // The next run (the store reachable destination) starts after the 400 nodes already copied.
        destination.reopen()
        let summary = try copier.copyAll(from: source, to: destination)
        #expect(summary.nodes == 600)
        #expect(try destination.inner.counts().nodes == 1000)
        #expect(try destination.inner.stateRoot() == nodes[0].0)
        // Done: a third run copies everything destination, changing nothing (idempotent).
        let third = try copier.copyAll(from: source, to: destination)
        #expect(third.nodes == 1000)
        #expect(try destination.inner.counts().nodes == 1000)
    }
}

import Goldilocks
import Synchronization

/// A bounded read cache keyed by hash, with hit and miss counters.
///
/// ```
///  shard = limb 0 mod 16          each shard: [ young ] → [ old ]   (two generations)
///  get:  young hit → return;  old hit → move to young, return;  else miss
///  put:  into young; when young's bytes reach half the shard's budget, old is dropped and young becomes old
/// ```
/// Two generations approximate LRU without touching a list on every hit: an entry read at least
/// once per generation survives, one not read for two generations is gone. Memory is bounded by
/// `capacityBytes` as charged by `cost` (keys, values and the hash tables' own slots). Thread-safe;
/// the 16 shards keep readers on different hashes off each other's lock.
public final class BoundedCache<Value: Sendable>: Sendable {
    private struct Generation {
        var entries: [Digest: Value] = [:]
        var bytes = 0
    }
    private struct Shard {
        var young = Generation()
        var old = Generation()
    }
    private static var shardCount: Int { 16 }
    private let shards: [Locked<Shard>]
    private let shardBudget: Int
    private let cost: @Sendable (Value) -> Int
    private let hitCount = Atomic<Int>(0)
    private let missCount = Atomic<Int>(0)

    /// A cache of at most `capacityBytes` (0 disables it). `cost` is the bytes one entry holds
    /// besides its key and the table slot, both of which are charged here.
    public init(capacityBytes: Int, cost: @escaping @Sendable (Value) -> Int) {
        shards = (0..<Self.shardCount).map { _ in Locked(Shard()) }
        shardBudget = capacityBytes / Self.shardCount
        self.cost = cost
    }

    /// Bytes charged per entry on top of the value's own cost: the key, and a hash-table slot at
    /// Swift's maximum load factor (3/4).
    static var overhead: Int { (MemoryLayout<Digest>.stride + MemoryLayout<Value>.stride) * 4 / 3 + 1 }

    @inline(__always)
    private func shard(_ key: Digest) -> Locked<Shard> { shards[Int(key.e0.value & 15)] }

    /// The cached value, counting a hit or a miss.
    public func get(_ key: Digest) -> Value? {
        guard shardBudget > 0 else { missCount.add(1, ordering: .relaxed); return nil }
        let found = shard(key).withLock { s -> Value? in
            if let v = s.young.entries[key] { return v }
            guard let v = s.old.entries.removeValue(forKey: key) else { return nil }
            let c = cost(v) + Self.overhead
            s.old.bytes -= c
            insert(&s, key, v, c)
            return v
        }
        if found != nil { hitCount.add(1, ordering: .relaxed) } else { missCount.add(1, ordering: .relaxed) }
        return found
    }

    /// Caches `value` under `key`.
    public func put(_ key: Digest, _ value: Value) {
        guard shardBudget > 0 else { return }
        let c = cost(value) + Self.overhead
        guard c <= shardBudget / 2 else { return }
        shard(key).withLock { s in
            if s.young.entries[key] != nil { return }
            if let old = s.old.entries.removeValue(forKey: key) { s.old.bytes -= cost(old) + Self.overhead }
            insert(&s, key, value, c)
        }
    }

    private func insert(_ s: inout Shard, _ key: Digest, _ value: Value, _ c: Int) {
        if s.young.bytes + c > shardBudget / 2 {
            s.old = s.young
            s.young = Generation()
            s.young.entries.reserveCapacity(s.old.entries.count)
        }
        s.young.entries[key] = value
        s.young.bytes += c
    }

    /// Drops everything (counters are kept).
    public func removeAll() {
        for s in shards { s.withLock { $0 = Shard() } }
    }

    /// Lookups that found their entry.
    public var hits: Int { hitCount.load(ordering: .relaxed) }
    /// Lookups that did not.
    public var misses: Int { missCount.load(ordering: .relaxed) }
    /// Entries held.
    public var count: Int { shards.reduce(0) { n, s in n + s.withLock { $0.young.entries.count + $0.old.entries.count } } }
    /// Bytes charged for the entries held.
    public var bytes: Int { shards.reduce(0) { n, s in n + s.withLock { $0.young.bytes + $0.old.bytes } } }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPrefetch
import Dispatch
import Goldilocks
import Synchronization

/// An in-memory node store, compact enough to hold every node of a large tree.
///
/// ```
///  index (open addressing, linear probing)         records (chunks of 2^16, never moved)
///  ┌─────────────────────────────────────────┐    ┌──────────┬────────┬────────┬───────────────────────────────┐
///  │ UInt64: kind(2) fingerprint(30) idx(32) ├───▶│ key (32) │ a (32) │ b (32) │ kind(2) link b(31) link a(31) │
///  └─────────────────────────────────────────┘    └──────────┴────────┴────────┴───────────────────────────────┘
/// ```
/// Keys are Poseidon outputs, uniformly random, so limb 0 is the hash. A branch keeps its
/// children in `a`/`b`, a leaf its remaining key and value hash, a value its four raw words.
/// A record also links to the records of `a` and `b` (a record index + 1, 0 when unknown), so a
/// walk down the tree takes one cache miss per level (the record) instead of two (index slot,
/// then record). Links are hints set when a node is written after its children: a walk checks
/// the linked record's key and falls back to the index, mending the link. A record is 104
/// bytes; with the index at ≤ 3/4 load a stored entry costs about 112–125 bytes. The store
/// holds up to 2^31 − 1 entries (links have 31 bits); a write past that throws. Thread-safe:
/// one lock around each call (reads are short; the tree hashes far longer than it reads).
public final class MemoryNodeStore: NodeStore {
    private let storage = Mutex(Storage())

    /// An empty store.
    public init() {}

    /// Number of entries (nodes and values).
    public var count: Int { storage.withLock { $0.count } }

    /// Bytes held by the index and the record chunks.
    public var allocatedBytes: Int { storage.withLock { $0.allocatedBytes } }

    public func node(_ hash: NodeHash) throws(SMTError) -> Node? {
        storage.withLock { s -> Node? in
            guard let i = s.find(hash) else { return nil }
            return Storage.node(s.record(i))
        }
    }

    public func node(_ hash: NodeHash, childOf parent: NodeLocation, side: Int) throws(SMTError) -> (Node, NodeLocation)? {
        storage.withLock { s -> (Node, NodeLocation)? in
            guard let i = s.locate(hash, childOf: parent, side: side), let node = Storage.node(s.record(i)) else { return nil }
            s.prefetchLinks(of: i)
            return (node, NodeLocation(raw: UInt64(i + 1)))
        }
    }

    public func value(_ hash: NodeHash) throws(SMTError) -> UInt256? {
        storage.withLock { s -> UInt256? in
            guard let i = s.find(hash) else { return nil }
            return Storage.value(s.record(i))
        }
    }

    public func value(_ hash: NodeHash, ofLeaf leaf: NodeLocation) throws(SMTError) -> UInt256? {
        storage.withLock { s -> UInt256? in
            guard let i = s.locate(hash, childOf: leaf, side: 1) else { return nil }
            return Storage.value(s.record(i))
        }
    }

    /// Writes the batch, or throws ``SMTError/store(_:)`` and writes nothing when the store
    /// could not hold all of it.
    public func write(_ batch: NodeBatch) throws(SMTError) {
        try storage.withLock { (s) throws(SMTError) in
            let values = batch.values, nodes = batch.nodes
            guard s.count + values.count + nodes.count <= Storage.capacity else {
                throw .store("MemoryNodeStore is full: \(s.count) entries, a batch of \(values.count + nodes.count), room for \(Storage.capacity)")
            }
            // Values first, then nodes in batch order (the tree writes children before their
            // parents): what a record links to is in the index when the record goes in.
            Storage.pipelined(values.count, prefetch: { s.prefetchHome(values[$0].0) }) { i in
                // A value is up to 2^256 - 1: its words are stored raw, not as field elements.
                let w = values[i].1.words
                s.insert(values[i].0, kind: Storage.kindValue,
                         Digest(FieldElement(unsafeRaw: w.0), FieldElement(unsafeRaw: w.1),
                                FieldElement(unsafeRaw: w.2), FieldElement(unsafeRaw: w.3)), .zero)
            }
            Storage.pipelined(nodes.count, prefetch: { s.prefetch(nodes[$0]) }) { i in
                switch nodes[i].1 {
                case let .branch(l, r): s.insert(nodes[i].0, kind: Storage.kindBranch, l, r)
                case let .leaf(k, v): s.insert(nodes[i].0, kind: Storage.kindLeaf, k, v)
                }
            }
        }
    }
}

extension FieldElement {
    /// Reinterprets raw bits as storage (never used in arithmetic).
    fileprivate init(unsafeRaw bits: UInt64) {
        self = unsafeBitCast(bits, to: FieldElement.self)
    }
}

private struct Record {
    var key: Digest
    var a: Digest
    var b: Digest
    /// kind << 62 | link to b << 31 | link to a; a link is a record index + 1, 0 when unknown.
    var meta: UInt64
}

private struct Storage: ~Copyable {
    static let kindBranch: UInt64 = 1
    static let kindLeaf: UInt64 = 2
    static let kindValue: UInt64 = 3
    static let chunkShift = 16
    static let chunkSize = 1 << chunkShift
    static let linkMask: UInt64 = 0x7FFF_FFFF
    /// Entries a store can hold: a link (record index + 1) has 31 bits.
    static let capacity = Int(linkMask)
    /// The fingerprint bits of an index slot.
    static let fingerprintBits: UInt64 = 0x3FFF_FFFF_0000_0000
    /// How many batch entries ahead `write` prefetches.
    static let prefetchDistance = 16

    var slots: UnsafeMutableBufferPointer<UInt64>
    var chunks: [UnsafeMutablePointer<Record>] = []
    /// The next chunk, allocated ahead and prefaulted on another thread (see ``newChunk()``).
    var spare: UnsafeMutablePointer<Record>?
    var count = 0

    init() {
        slots = Storage.allocateSlots(1 << 10)
    }

    deinit {
        free(slots.baseAddress)
        for c in chunks { free(c) }
        if let spare { free(spare) }
    }

    static func node(_ r: UnsafeMutablePointer<Record>) -> Node? {
        switch r.pointee.meta >> 62 {
        case kindBranch: return .branch(left: r.pointee.a, right: r.pointee.b)
        case kindLeaf: return .leaf(remainingKey: r.pointee.a, valueHash: r.pointee.b)
        default: return nil
        }
    }

    static func value(_ r: UnsafeMutablePointer<Record>) -> UInt256? {
        guard r.pointee.meta >> 62 == kindValue else { return nil }
        let a = r.pointee.a
        return UInt256(a.e0.value, a.e1.value, a.e2.value, a.e3.value)
    }

    /// A chunk for the records to come. The kernel zeroes the pages of a new chunk on first
    /// touch, which would sit on the critical path of the inserts that fill it; so the next
    /// chunk is allocated one chunk ahead and its pages are populated on a background thread
    /// (MADV_POPULATE_WRITE only maps zeroed pages; it never writes data, so it cannot clobber
    /// records if the store starts using the chunk before it is done). Only a store that has
    /// filled a chunk gets a spare: small stores (tests, proofs) stay small.
    mutating func newChunk() -> UnsafeMutablePointer<Record> {
        let bytes = Storage.chunkSize * MemoryLayout<Record>.stride
        let chunk = spare ?? Storage.allocateLarge(bytes).bindMemory(to: Record.self, capacity: Storage.chunkSize)
        spare = nil
        guard !chunks.isEmpty else { return chunk }
        let next = Storage.allocateLarge(bytes).bindMemory(to: Record.self, capacity: Storage.chunkSize)
        spare = next
        #if os(Linux)
        let address = UInt(bitPattern: next)
        DispatchQueue.global(qos: .utility).async {
            _ = madvise(UnsafeMutableRawPointer(bitPattern: address), bytes, 23 /* MADV_POPULATE_WRITE */)
        }
        #endif
        return chunk
    }

    /// Large blocks are 2 MiB aligned and marked for transparent huge pages: a growing store
    /// then takes one page fault per 2 MiB instead of one per 4 KiB.
    static func allocateLarge(_ bytes: Int) -> UnsafeMutableRawPointer {
        let huge = 2 << 20
        var p: UnsafeMutableRawPointer?
        let alignment = bytes >= huge ? huge : 64
        guard posix_memalign(&p, alignment, bytes) == 0, let p else { fatalError("out of memory (\(bytes) bytes)") }
        #if os(Linux)
        if bytes >= huge { _ = madvise(p, bytes, MADV_HUGEPAGE) }
        #endif
        return p
    }

    static func allocateSlots(_ count: Int) -> UnsafeMutableBufferPointer<UInt64> {
        let p = allocateLarge(count * 8).bindMemory(to: UInt64.self, capacity: count)
        let slots = UnsafeMutableBufferPointer(start: p, count: count)
        slots.initialize(repeating: 0)
        return slots
    }

    var allocatedBytes: Int { slots.count * 8 + (chunks.count + (spare == nil ? 0 : 1)) * Storage.chunkSize * MemoryLayout<Record>.stride }

    @inline(__always)
    func record(_ index: Int) -> UnsafeMutablePointer<Record> {
        chunks[index >> Storage.chunkShift] + (index & (Storage.chunkSize - 1))
    }

    @inline(__always)
    static func fingerprint(_ key: Digest) -> UInt64 { (key.e1.value & 0x3FFF_FFFF) << 32 }

    /// The record an occupied index slot names.
    @inline(__always)
    static func recordIndex(ofSlot slot: UInt64) -> Int { Int(slot & 0xFFFF_FFFF) - 1 }

    /// The slot where `key`'s probe starts.
    @inline(__always)
    func home(_ key: Digest) -> Int { Int(truncatingIfNeeded: key.e0.value) & (slots.count - 1) }

    /// The record a link (or a location) names, when it names one.
    @inline(__always)
    func linkedIndex(_ link: UInt64) -> Int? { link != 0 && link <= UInt64(count) ? Int(link) - 1 : nil }

    /// Where `key`'s probe ends: the slot holding it, or the free slot where it would go.
    func probe(_ key: Digest) -> (slot: Int, found: Bool) {
        let mask = slots.count - 1
        let fp = Storage.fingerprint(key)
        var i = home(key)
        while slots[i] != 0 {
            if slots[i] & Storage.fingerprintBits == fp && record(Storage.recordIndex(ofSlot: slots[i])).pointee.key == key {
                return (i, true)
            }
            i = (i + 1) & mask
        }
        return (i, false)
    }

    /// The record index of `key`, through the index.
    func find(_ key: Digest) -> Int? {
        let (slot, found) = probe(key)
        return found ? Storage.recordIndex(ofSlot: slots[slot]) : nil
    }

    /// The record index of `key`, the child on `side` of the record at `parent`: through the
    /// parent's link when it holds, else through the index (and the link is mended).
    mutating func locate(_ key: Digest, childOf parent: NodeLocation, side: Int) -> Int? {
        guard let parentIndex = linkedIndex(parent.raw) else { return find(key) }
        let p = record(parentIndex)
        let shift = UInt64(side == 0 ? 0 : 31)
        if let i = linkedIndex((p.pointee.meta >> shift) & Storage.linkMask), record(i).pointee.key == key { return i }
        guard let i = find(key) else { return nil }
        p.pointee.meta = p.pointee.meta & ~(Storage.linkMask << shift) | UInt64(i + 1) << shift
        return i
    }

    /// A link to `key`'s record from the index alone (first fingerprint match, key unchecked:
    /// a walk checks it), 0 when absent.
    func link(_ key: Digest) -> UInt64 {
        if key.isZero { return 0 }
        let mask = slots.count - 1
        let fp = Storage.fingerprint(key)
        var i = home(key)
        while slots[i] != 0 {
            if slots[i] & Storage.fingerprintBits == fp { return slots[i] & 0xFFFF_FFFF }
            i = (i + 1) & mask
        }
        return 0
    }

    mutating func insert(_ key: Digest, kind: UInt64, _ a: Digest, _ b: Digest) {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        // Content-addressed: a key already there has this content.
        let (slot, found) = probe(key)
        if found { return }
        if count & (Storage.chunkSize - 1) == 0 && count >> Storage.chunkShift == chunks.count {
            chunks.append(newChunk())
        }
        precondition(count < Storage.capacity, "write checks the capacity before inserting")
        let links: UInt64 = switch kind {
        case Storage.kindBranch: link(b) << 31 | link(a)
        case Storage.kindLeaf: link(b) << 31
        default: 0
        }
        record(count).initialize(to: Record(key: key, a: a, b: b, meta: kind << 62 | links))
        count += 1
        slots[slot] = kind << 62 | Storage.fingerprint(key) | UInt64(count)
    }

    func place(_ key: Digest, slot: UInt64) {
        let mask = slots.count - 1
        var i = home(key)
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = slot
    }

    /// Starts loading the records `i` links to: a walk reads one of them next, and its miss then
    /// overlaps the walk's own work at this level.
    @inline(__always)
    func prefetchLinks(of i: Int) {
        let meta = record(i).pointee.meta
        prefetchRecord(link: meta & Storage.linkMask)
        prefetchRecord(link: (meta >> 31) & Storage.linkMask)
    }

    /// Starts loading both cache lines a linked record may span.
    @inline(__always)
    func prefetchRecord(link: UInt64) {
        guard let i = linkedIndex(link) else { return }
        let r = UnsafeRawPointer(record(i))
        zkstate_prefetch(r)
        zkstate_prefetch(r + MemoryLayout<Record>.size - 1)
    }

    /// Prefetches the index slot where `key`'s probe starts.
    @inline(__always)
    func prefetchHome(_ key: Digest) {
        zkstate_prefetch(slots.baseAddress! + home(key))
    }

    /// Prefetches what inserting `entry` reads: its home slot and those of what it links to.
    /// The misses then overlap instead of being taken one insert at a time.
    @inline(__always)
    func prefetch(_ entry: (NodeHash, Node)) {
        prefetchHome(entry.0)
        switch entry.1 {
        case let .branch(l, r):
            prefetchHome(l)
            prefetchHome(r)
        case let .leaf(_, v):
            prefetchHome(v)
        }
    }

    /// Runs `body` on 0..<count, prefetching for the entry `prefetchDistance` ahead of it.
    @inline(__always)
    static func pipelined(_ count: Int, prefetch: (Int) -> Void, _ body: (Int) -> Void) {
        for i in 0..<min(prefetchDistance, count) { prefetch(i) }
        for i in 0..<count {
            if i + prefetchDistance < count { prefetch(i + prefetchDistance) }
            body(i)
        }
    }

    mutating func grow() {
        let old = slots
        slots = Storage.allocateSlots(old.count * 2)
        for slot in old where slot != 0 {
            place(record(Storage.recordIndex(ofSlot: slot)).pointee.key, slot: slot)
        }
        free(old.baseAddress)
    }
}

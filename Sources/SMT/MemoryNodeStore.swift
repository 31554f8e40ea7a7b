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
///  index (open addressing, linear probing)      records (chunks of 2^16, never moved)
///  ┌──────────────────────────────────────┐     ┌──────────┬──────────────────────────┐
///  │ UInt64: kind(2) fingerprint(30) idx(32)├──▶│ key (32) │ payload (64)             │
///  └──────────────────────────────────────┘     └──────────┴──────────────────────────┘
/// ```
/// Keys are Poseidon outputs, uniformly random, so limb 0 is the hash. A record is 96 bytes;
/// with the index at ≤ 3/4 load a stored entry costs about 104–117 bytes. Thread-safe: one
/// lock around each call (reads are short; the tree hashes far longer than it reads).
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
            guard let (kind, r) = s.find(hash) else { return nil }
            switch kind {
            case Storage.kindBranch: return .branch(left: r.pointee.a, right: r.pointee.b)
            case Storage.kindLeaf: return .leaf(remainingKey: r.pointee.a, valueHash: r.pointee.b)
            default: return nil
            }
        }
    }

    public func value(_ hash: NodeHash) throws(SMTError) -> UInt256? {
        storage.withLock { s -> UInt256? in
            guard let (kind, r) = s.find(hash), kind == Storage.kindValue else { return nil }
            return UInt256(r.pointee.a.e0.value, r.pointee.a.e1.value, r.pointee.a.e2.value, r.pointee.a.e3.value)
        }
    }

    public func write(_ batch: NodeBatch) throws(SMTError) {
        storage.withLock { s in
            s.prefetch(batch)
            for (h, node) in batch.nodes {
                switch node {
                case let .branch(l, r): s.insert(h, kind: Storage.kindBranch, l, r)
                case let .leaf(k, v): s.insert(h, kind: Storage.kindLeaf, k, v)
                }
            }
            for (h, v) in batch.values {
                // A value is up to 2^256 - 1: its words are stored raw, not as field elements.
                let w = v.words
                s.insert(h, kind: Storage.kindValue,
                         Digest(FieldElement(unsafeRaw: w.0), FieldElement(unsafeRaw: w.1),
                                FieldElement(unsafeRaw: w.2), FieldElement(unsafeRaw: w.3)), .zero)
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
}

private struct Storage: ~Copyable {
    static let kindBranch: UInt64 = 1
    static let kindLeaf: UInt64 = 2
    static let kindValue: UInt64 = 3
    static let chunkShift = 16
    static let chunkSize = 1 << chunkShift

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

    func find(_ key: Digest) -> (UInt64, UnsafeMutablePointer<Record>)? {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: key.e0.value) & mask
        let fp = Storage.fingerprint(key)
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            if slot & 0x3FFF_FFFF_0000_0000 == fp {
                let r = record(Int(slot & 0xFFFF_FFFF) - 1)
                if r.pointee.key == key { return (slot >> 62, r) }
            }
            i = (i + 1) & mask
        }
    }

    mutating func insert(_ key: Digest, kind: UInt64, _ a: Digest, _ b: Digest) {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        // One probe: stop at the key (content-addressed: same key, same content) or a free slot.
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: key.e0.value) & mask
        let fp = Storage.fingerprint(key)
        while slots[i] != 0 {
            if slots[i] & 0x3FFF_FFFF_0000_0000 == fp && record(Int(slots[i] & 0xFFFF_FFFF) - 1).pointee.key == key { return }
            i = (i + 1) & mask
        }
        if count & (Storage.chunkSize - 1) == 0 && count >> Storage.chunkShift == chunks.count {
            chunks.append(newChunk())
        }
        precondition(count < Int(UInt32.max), "MemoryNodeStore holds at most 2^32 - 1 entries")
        record(count).initialize(to: Record(key: key, a: a, b: b))
        count += 1
        slots[i] = kind << 62 | fp | UInt64(count)
    }

    func place(_ key: Digest, slot: UInt64) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: key.e0.value) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = slot
    }

    /// Prefetches the home slot of every entry of a batch before inserting: the misses then
    /// overlap instead of being taken one insert at a time.
    func prefetch(_ batch: NodeBatch) {
        let mask = slots.count - 1
        let base = slots.baseAddress!
        for (h, _) in batch.nodes { zkstate_prefetch_for_write(base + (Int(truncatingIfNeeded: h.e0.value) & mask)) }
        for (h, _) in batch.values { zkstate_prefetch_for_write(base + (Int(truncatingIfNeeded: h.e0.value) & mask)) }
    }

    mutating func grow() {
        let old = slots
        slots = Storage.allocateSlots(old.count * 2)
        for slot in old where slot != 0 {
            place(record(Int(slot & 0xFFFF_FFFF) - 1).pointee.key, slot: slot)
        }
        free(old.baseAddress)
    }
}

/// A multiset of fixed-width tuples of field values, stored flat (no allocation per tuple): an
/// open-addressing table of distinct tuples with a count each. Used for the sides of plookups
/// and permutations.
struct TupleMultiset {
    /// Values per tuple.
    let width: Int
    /// Distinct tuples, `width` values each.
    private(set) var values: [UInt64] = []
    /// Occurrences of each distinct tuple.
    private(set) var counts: [Int] = []
    /// Slot → distinct tuple index, −1 when empty; the size is a power of two.
    private var slots: [Int32]

    init(width: Int, expected: Int = 64) {
        self.width = width
        var size = 16
        while size < 2 * expected { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
    }

    /// Number of distinct tuples.
    var distinctCount: Int { counts.count }

    private static func hash(_ tuple: UnsafeBufferPointer<UInt64>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for v in tuple {
            h = (h ^ v) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
        }
        return h
    }

    /// The index of `tuple` among the distinct tuples, or the empty slot where it would go.
    private func find(_ tuple: UnsafeBufferPointer<UInt64>) -> (index: Int?, slot: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(tuple)) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return (nil, slot) }
            let base = entry * width
            var equal = true
            for k in 0..<width where values[base + k] != tuple[k] {
                equal = false
                break
            }
            if equal { return (entry, slot) }
            slot = (slot + 1) & mask
        }
    }

    /// Adds one occurrence of `tuple`; returns its distinct index.
    @discardableResult
    mutating func insert(_ tuple: UnsafeBufferPointer<UInt64>) -> Int {
        let (index, slot) = find(tuple)
        if let index {
            counts[index] += 1
            return index
        }
        let entry = counts.count
        values.append(contentsOf: tuple)
        counts.append(1)
        slots[slot] = Int32(entry)
        if 2 * counts.count > slots.count { grow() }
        return entry
    }

    /// The distinct index of `tuple`, nil when absent.
    func index(of tuple: UnsafeBufferPointer<UInt64>) -> Int? { find(tuple).index }

    /// The values of distinct tuple `index`.
    func tuple(_ index: Int) -> ArraySlice<UInt64> { values[index * width ..< (index + 1) * width] }

    /// Changes the count of distinct tuple `index` by `delta`.
    mutating func adjust(_ index: Int, by delta: Int) { counts[index] += delta }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: 2 * slots.count)
        let mask = slots.count - 1
        values.withUnsafeBufferPointer { all in
            for entry in 0..<counts.count {
                let tuple = UnsafeBufferPointer(rebasing: all[entry * width ..< (entry + 1) * width])
                var slot = Int(truncatingIfNeeded: Self.hash(tuple)) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(entry)
            }
        }
    }
}

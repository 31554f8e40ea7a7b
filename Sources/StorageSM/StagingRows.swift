import Goldilocks

/// The executor's staging block: `capacity` Storage rows plus the row after them, column-major
/// like the trace, so a block moves into the trace as one contiguous copy per column. Column
/// `c` of staged row `j` is at `columns[c · stride + j]`; the stride is one cache line longer
/// than the capacity so that the 79 values of a row do not all fall into the same cache set.
/// Allocated once per run.
final class StagingRows {
    /// Rows moved into the trace at a time.
    static var capacity: Int { 256 }
    /// Values from one column to the next.
    static var stride: Int { capacity + 8 }

    /// ``StorageColumn/count`` columns of `stride` values, zero at first (row 0 is trace row 0).
    let columns: UnsafeMutablePointer<UInt64>

    init() {
        let count = StorageColumn.count * Self.stride
        columns = .allocate(capacity: count)
        columns.initialize(repeating: 0, count: count)
    }

    deinit { columns.deallocate() }

    /// Staged row `j` (0 ... capacity).
    func row(_ j: Int) -> StagedRow { StagedRow(base: columns + j) }
}

/// One row of the staging block: column `c` at `base[c · StagingRows.stride]`.
struct StagedRow {
    let base: UnsafeMutablePointer<UInt64>

    /// The value of column `c` (a ``StorageColumn`` raw value).
    subscript(c: Int) -> UInt64 {
        get { base[c &* StagingRows.stride] }
        nonmutating set { base[c &* StagingRows.stride] = newValue }
    }

    /// The row after this one.
    var next: StagedRow { StagedRow(base: base + 1) }

    /// Columns `c ..< c + 4` as a digest.
    func digest(at c: Int) -> Digest {
        Digest(canonical: self[c], self[c + 1], self[c + 2], self[c + 3])
    }

    /// Writes `d` to columns `c ..< c + 4`.
    func store(_ d: Digest, at c: Int) {
        self[c] = d.e0.value
        self[c + 1] = d.e1.value
        self[c + 2] = d.e2.value
        self[c + 3] = d.e3.value
    }
}

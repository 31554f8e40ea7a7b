#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A committed column of one state machine's block, in PIL declaration order: the raw value
/// is the column's index inside the machine's block of the commit file (spec storage-sm §4, §10).
public protocol MachineColumn: CaseIterable, Hashable, Sendable, RawRepresentable where RawValue == Int {
    /// The PIL namespace (`Storage`, `PoseidonG`, `ClimbKey`).
    static var machineName: String { get }
    /// The column's PIL name inside its namespace.
    var name: String { get }
    /// Number of columns.
    static var count: Int { get }
    /// How the machine's trace buffer is laid out (column-major unless the machine says otherwise).
    static var layout: TraceLayout { get }
}

extension MachineColumn {
    /// Column-major.
    public static var layout: TraceLayout { .columnMajor }
}

/// The order of a machine trace's values.
public enum TraceLayout: Sendable, Equatable {
    /// Column `c` is `[c·N, (c+1)·N)`: cell (c, r) at `c·N + r`.
    case columnMajor
    /// Row `r` is `[r·columns, (r+1)·columns)`: cell (c, r) at `r·columns + c`, as in the trace files.
    case rowMajor
}

extension StorageColumn: MachineColumn {
    /// `Storage`.
    public static var machineName: String { "Storage" }
    /// Row-major: the executor writes a row at a time, and the used rows are then one contiguous
    /// stretch of memory (filled while the pages the kernel has just zeroed are still in cache).
    public static var layout: TraceLayout { .rowMajor }
}

/// The 19 committed columns of the PoseidonG namespace, in PIL declaration order
/// (`poseidong.pil`; spec storage-sm §4, §8).
public enum PoseidonGColumn: Int, MachineColumn {
    /// State element 0 (rate).
    case in0 = 0
    /// State element 1 (rate).
    case in1
    /// State element 2 (rate).
    case in2
    /// State element 3 (rate).
    case in3
    /// State element 4 (rate).
    case in4
    /// State element 5 (rate).
    case in5
    /// State element 6 (rate).
    case in6
    /// State element 7 (rate).
    case in7
    /// State element 8 (capacity 0: the hash type).
    case hashType
    /// State element 9 (capacity 1).
    case cap1
    /// State element 10 (capacity 2).
    case cap2
    /// State element 11 (capacity 3).
    case cap3
    /// Output element 0, constant through the block.
    case hash0
    /// Output element 1, constant through the block.
    case hash1
    /// Output element 2, constant through the block.
    case hash2
    /// Output element 3, constant through the block.
    case hash3
    /// 1 on the first row of a Main key hash (permutation id 1).
    case result1
    /// 1 on the first row of a Main key hash with capacity (permutation id 2).
    case result2
    /// 1 on the first row of a Storage hash (permutation id 3).
    case result3

    /// `PoseidonG`.
    public static var machineName: String { "PoseidonG" }
    /// The PIL name.
    public var name: String { "\(self)" }
    /// Number of PoseidonG columns.
    public static let count = 19
    /// State element `k` (0 ..< 12) as a column.
    public static func state(_ k: Int) -> PoseidonGColumn { PoseidonGColumn(rawValue: k)! }
}

/// The 14 committed columns of the ClimbKey namespace, in PIL declaration order
/// (`climb_key.pil`; spec storage-sm §4, §7).
public enum ClimbKeyColumn: Int, MachineColumn {
    /// Key limb 0 (climbed on clock 3 if selected).
    case key0 = 0
    /// Key limb 1.
    case key1
    /// Key limb 2.
    case key2
    /// Key limb 3.
    case key3
    /// The Storage LEVEL of the climb.
    case level
    /// Running reconstruction of the climbed limb from its chunks.
    case keyIn
    /// The limb's 18-bit chunk of this clock (10 bits on clock 3).
    case keyInChunk
    /// 1 on clock 2 only (the row the Storage permutation selects).
    case result
    /// The injected bit.
    case bit
    /// 1 on clock 3 iff limb 0 is climbed.
    case keySel0
    /// 1 on clock 3 iff limb 1 is climbed.
    case keySel1
    /// 1 on clock 3 iff limb 2 is climbed.
    case keySel2
    /// 1 on clock 3 iff limb 3 is climbed.
    case keySel3
    /// carry + 2·lt entering this clock's chunk.
    case carryLt

    /// `ClimbKey`.
    public static var machineName: String { "ClimbKey" }
    /// The PIL name.
    public var name: String { "\(self)" }
    /// Number of ClimbKey columns.
    public static let count = 14
    /// Key limb `k` (0 ..< 4) as a column.
    public static func key(_ k: Int) -> ClimbKeyColumn { ClimbKeyColumn(rawValue: k)! }
    /// keySel `k` (0 ..< 4) as a column.
    public static func keySel(_ k: Int) -> ClimbKeyColumn { ClimbKeyColumn(rawValue: ClimbKeyColumn.keySel0.rawValue + k)! }
}

/// The committed columns of one secondary state machine over N rows: one flat buffer in the
/// machine's ``TraceLayout`` (Storage row-major, PoseidonG and ClimbKey column-major),
/// canonical field elements.
public struct MachineTrace<Column: MachineColumn>: Sendable, Equatable {
    /// N, the number of rows.
    public let rowCount: Int
    /// Rows holding requests (the rest is padding).
    public internal(set) var rowsUsed: Int
    /// The values, `Column.count · N` of them, in `Column.layout` order.
    public internal(set) var values: [UInt64]

    /// A trace of `rowCount` rows, every cell 0, no rows used. A large buffer is advised into
    /// transparent huge pages before it is zeroed: a full trace is gigabytes, and 4 KiB page
    /// faults would otherwise cost more than filling the rows.
    init(rowCount: Int) {
        self.rowCount = rowCount
        self.rowsUsed = 0
        self.values = Self.zeroedBuffer(count: Column.count * rowCount)
    }

    /// A trace of `rowCount` rows whose cells are not initialised: the caller must write every
    /// cell before any is read (the storage executor writes each row whole).
    init(uninitializedRowCount rowCount: Int) {
        self.rowCount = rowCount
        self.rowsUsed = 0
        self.values = Self.buffer(count: Column.count * rowCount, zeroed: false)
    }

    /// `count` zeros; from 4 MiB on, the whole 2 MiB-aligned interior is `MADV_HUGEPAGE`.
    static func zeroedBuffer(count: Int) -> [UInt64] { buffer(count: count, zeroed: true) }

    /// `count` values, zeros if `zeroed`, else left as the allocator returns them; from 4 MiB on,
    /// the whole 2 MiB-aligned interior is `MADV_HUGEPAGE`.
    static func buffer(count: Int, zeroed: Bool) -> [UInt64] {
        [UInt64](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            let huge = 2 << 20
            let bytes = 8 * count
            if bytes >= 2 * huge {
                let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
                let end = (Int(bitPattern: base) + bytes) & ~(huge - 1)
                if end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) {
                    _ = madvise(pointer, end - start, MADV_HUGEPAGE)
                }
            }
            if zeroed {
                base.initialize(repeating: 0, count: count)
            } else {
                #if DEBUG
                // Not a field element: a cell the writer forgets cannot pass for a valid value in tests.
                base.initialize(repeating: .max, count: count)
                #endif
            }
            initialized = count
        }
    }

    /// A trace from one array of N values per column, in column order.
    init(rowCount: Int, rowsUsed: Int, columns: [[UInt64]]) {
        precondition(columns.count == Column.count && columns.allSatisfy { $0.count == rowCount }, "columns × N values")
        self.rowCount = rowCount
        self.rowsUsed = rowsUsed
        switch Column.layout {
        case .columnMajor:
            values = Array(columns.joined())
        case .rowMajor:
            // Every cell is written below: no need to zero the buffer first.
            let width = Column.count
            values = Self.buffer(count: width * rowCount, zeroed: false)
            values.withUnsafeMutableBufferPointer { target in
                for (c, column) in columns.enumerated() {
                    for r in 0..<rowCount { target[r * width + c] = column[r] }
                }
            }
        }
    }

    /// Where cell (`column`, `row`) is in `values`.
    @inline(__always)
    func offset(_ column: Int, _ row: Int) -> Int {
        switch Column.layout {
        case .columnMajor: column * rowCount + row
        case .rowMajor: row * Column.count + column
        }
    }

    /// The value of `column` at `row`.
    public subscript(column: Column, row: Int) -> UInt64 {
        get { values[offset(column.rawValue, row)] }
        set { values[offset(column.rawValue, row)] = newValue }
    }

    /// All N values of `column` (a copy for a row-major trace).
    public func column(_ column: Column) -> ArraySlice<UInt64> {
        switch Column.layout {
        case .columnMajor:
            return values[column.rawValue * rowCount ..< (column.rawValue + 1) * rowCount]
        case .rowMajor:
            let width = Column.count, c = column.rawValue
            return values.withUnsafeBufferPointer { source in
                ArraySlice([UInt64](unsafeUninitializedCapacity: rowCount) { target, initialized in
                    for r in 0..<rowCount { target[r] = source[r * width + c] }
                    initialized = rowCount
                })
            }
        }
    }

    /// Row `row` in column order.
    public func row(_ row: Int) -> [UInt64] {
        Column.allCases.map { self[$0, row] }
    }
}

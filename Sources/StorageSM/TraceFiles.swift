import Foundation
import Goldilocks

/// A trace directory (spec storage-sm §10, one file per machine instead of one flat file):
/// `<Machine>.bin` holds N rows one after another, each row its columns in PIL declaration
/// order, one little-endian UInt64 per cell (cell (c, r) at byte 8·(r·nCols + c));
/// `trace.json` names the format, N, and per machine its file, columns and rows used.
public enum TraceFiles {
    /// The description file's name.
    public static let descriptionFileName = "trace.json"
    /// The format tag written to and required in `trace.json`.
    public static let format = "zkstate-storage-sm-trace-1"

    /// `trace.json`.
    public struct Description: Codable, Sendable, Equatable {
        /// ``TraceFiles/format``.
        public var format: String
        /// Rows of every machine.
        public var N: Int
        /// The machines, Storage, PoseidonG, ClimbKey.
        public var machines: [Machine]
    }

    /// One machine's entry in `trace.json`.
    public struct Machine: Codable, Sendable, Equatable {
        /// The PIL namespace.
        public var name: String
        /// The binary file, relative to the directory.
        public var file: String
        /// Column names in file order.
        public var columns: [String]
        /// Rows holding real work (the rest is padding).
        public var rowsUsed: Int
    }

    /// Writes `traces` into `directory` (created if missing; existing files replaced).
    public static func write(_ traces: StorageSMTraces, to directory: URL) throws(TraceFileError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(file: directory.path, reason: "\(error)")
        }
        let n = traces.rowCount
        var machines: [Machine] = []
        func block<C: MachineColumn>(_: C.Type, _ values: [UInt64], rowsUsed: Int) throws(TraceFileError) {
            let entry = Machine(name: C.machineName, file: "\(C.machineName).bin",
                                columns: C.allCases.map(\.name), rowsUsed: rowsUsed)
            try writeRowMajor(values, layout: C.layout, columns: entry.columns.count, rowCount: n,
                              to: directory.appendingPathComponent(entry.file))
            machines.append(entry)
        }
        try block(StorageColumn.self, traces.storage.values, rowsUsed: traces.storageRowsUsed)
        try block(PoseidonGColumn.self, traces.poseidonG.values, rowsUsed: traces.poseidonG.rowsUsed)
        try block(ClimbKeyColumn.self, traces.climbKey.values, rowsUsed: traces.climbKey.rowsUsed)
        let description = Description(format: format, N: n, machines: machines)
        let url = directory.appendingPathComponent(descriptionFileName)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(description).write(to: url)
        } catch {
            throw .io(file: url.path, reason: "\(error)")
        }
    }

    /// Reads and validates `trace.json` of `directory`: the format, N, and for each of the three
    /// machines an entry with the PIL column list, rows used in 0 … N and a plain file name.
    public static func description(of directory: URL) throws(TraceFileError) -> Description {
        let url = directory.appendingPathComponent(descriptionFileName)
        let description: Description
        do {
            description = try JSONDecoder().decode(Description.self, from: Data(contentsOf: url))
        } catch {
            throw .invalidDescription(reason: "\(url.path): \(error)")
        }
        guard description.format == format else {
            throw .invalidDescription(reason: "format is \"\(description.format)\", expected \"\(format)\"")
        }
        let n = description.N
        guard n > 0 else { throw .invalidDescription(reason: "N = \(n) is not positive") }
        func check<C: MachineColumn>(_: C.Type) throws(TraceFileError) {
            guard let entry = description.machines.first(where: { $0.name == C.machineName }) else {
                throw .missingMachine(C.machineName)
            }
            let expected = C.allCases.map(\.name)
            guard entry.columns == expected else {
                let i = zip(entry.columns, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                    ?? min(entry.columns.count, expected.count)
                throw .columnMismatch(machine: C.machineName, index: i,
                                      expected: i < expected.count ? expected[i] : "(none)",
                                      found: i < entry.columns.count ? entry.columns[i] : "(none)")
            }
            guard (0...n).contains(entry.rowsUsed) else {
                throw .invalidDescription(reason: "\(C.machineName).rowsUsed = \(entry.rowsUsed) outside 0 … \(n)")
            }
            guard !entry.file.contains("/"), !entry.file.hasPrefix(".") else {
                throw .invalidDescription(reason: "\(C.machineName).file \"\(entry.file)\" is not a plain file name")
            }
        }
        try check(StorageColumn.self)
        try check(PoseidonGColumn.self)
        try check(ClimbKeyColumn.self)
        return description
    }

    /// Reads every column of the three machines as its own array, keyed `Machine.column`
    /// (the PIL qualified name), streaming each file: no whole-file copy is held.
    public static func readColumns(from directory: URL) throws(TraceFileError) -> (description: Description, columns: [String: [UInt64]]) {
        let description = try description(of: directory)
        var columns: [String: [UInt64]] = [:]
        for machine in description.machines where [StorageColumn.machineName, PoseidonGColumn.machineName,
                                                   ClimbKeyColumn.machineName].contains(machine.name) {
            let arrays = try readColumnArrays(machine: machine.name, columnNames: machine.columns, rowCount: description.N,
                                              from: directory.appendingPathComponent(machine.file))
            for (name, values) in zip(machine.columns, arrays) { columns["\(machine.name).\(name)"] = values }
        }
        return (description, columns)
    }

    /// Reads the traces written by ``write(_:to:)``, checking the format, the column lists,
    /// the file sizes and that every cell is a canonical field element.
    public static func read(from directory: URL) throws(TraceFileError) -> StorageSMTraces {
        let description = try description(of: directory)
        let n = description.N
        func block<C: MachineColumn>(_: C.Type) throws(TraceFileError) -> (columns: [[UInt64]], rowsUsed: Int) {
            let entry = description.machines.first { $0.name == C.machineName }!
            let arrays = try readColumnArrays(machine: C.machineName, columnNames: entry.columns, rowCount: n,
                                              from: directory.appendingPathComponent(entry.file))
            return (arrays, entry.rowsUsed)
        }
        let storage = try block(StorageColumn.self)
        let poseidonG = try block(PoseidonGColumn.self)
        let climbKey = try block(ClimbKeyColumn.self)
        return StorageSMTraces(
            storage: StorageTrace(rowCount: n, rowsUsed: 0, columns: storage.columns), storageRowsUsed: storage.rowsUsed,
            poseidonG: MachineTrace(rowCount: n, rowsUsed: poseidonG.rowsUsed, columns: poseidonG.columns),
            climbKey: MachineTrace(rowCount: n, rowsUsed: climbKey.rowsUsed, columns: climbKey.columns))
    }

    /// Rows transposed per write: the writer's buffer holds this many rows (at most 79 × 8 KiB
    /// × 8 B ≈ 5 MB), so writing never copies the whole trace.
    static let rowsPerChunk = 8192

    /// Streams `values` (`columns` × `rowCount`, in `layout` order) into `url` as row-major
    /// little-endian words, one chunk of ``rowsPerChunk`` rows at a time (transposed from a
    /// column-major trace).
    static func writeRowMajor(_ values: [UInt64], layout: TraceLayout, columns: Int, rowCount: Int,
                              to url: URL) throws(TraceFileError) {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw .io(file: url.path, reason: "cannot create the file")
        }
        let handle: FileHandle
        do { handle = try FileHandle(forWritingTo: url) } catch { throw .io(file: url.path, reason: "\(error)") }
        defer { try? handle.close() }
        let chunkRows = min(rowsPerChunk, rowCount)
        var buffer = [UInt64](repeating: 0, count: chunkRows * columns)
        var start = 0
        while start < rowCount {
            let rows = min(chunkRows, rowCount - start)
            values.withUnsafeBufferPointer { source in
                buffer.withUnsafeMutableBufferPointer { target in
                    switch layout {
                    case .columnMajor:
                        for c in 0..<columns {
                            let column = source.baseAddress! + c * rowCount + start
                            for r in 0..<rows { target[r * columns + c] = column[r].littleEndian }
                        }
                    case .rowMajor:
                        let chunk = source.baseAddress! + start * columns
                        for k in 0 ..< rows * columns { target[k] = chunk[k].littleEndian }
                    }
                }
            }
            do {
                try buffer.withUnsafeBytes { raw in
                    try handle.write(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0 ..< 8 * rows * columns]))
                }
            } catch {
                throw .io(file: url.path, reason: "\(error)")
            }
            start += rows
        }
    }

    /// Reads a row-major file into one array per column, ``rowsPerChunk`` rows at a time,
    /// checking its size and that every cell is below p.
    static func readColumnArrays(machine: String, columnNames: [String], rowCount: Int,
                                 from url: URL) throws(TraceFileError) -> [[UInt64]] {
        let handle: FileHandle
        let size: UInt64
        do {
            handle = try FileHandle(forReadingFrom: url)
            size = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
        } catch {
            throw .io(file: url.path, reason: "\(error)")
        }
        defer { try? handle.close() }
        let columns = columnNames.count
        let expected = 8 * columns * rowCount
        guard size == UInt64(expected) else {
            throw .wrongSize(machine: machine, expectedBytes: expected, foundBytes: Int(size))
        }
        var arrays = [[UInt64]](repeating: [], count: columns)
        for c in 0..<columns { arrays[c] = StorageTrace.zeroedBuffer(count: rowCount) }
        var bad: (row: Int, column: Int, value: UInt64)?
        var start = 0
        while start < rowCount {
            let rows = min(rowsPerChunk, rowCount - start)
            let data: Data
            do {
                data = try handle.read(upToCount: 8 * rows * columns) ?? Data()
            } catch {
                throw .io(file: url.path, reason: "\(error)")
            }
            guard data.count == 8 * rows * columns else {
                throw .wrongSize(machine: machine, expectedBytes: expected, foundBytes: 8 * start * columns + data.count)
            }
            data.withUnsafeBytes { raw in
                for c in 0..<columns {
                    arrays[c].withUnsafeMutableBufferPointer { column in
                        for r in 0..<rows {
                            let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * (r * columns + c), as: UInt64.self))
                            if v >= FieldElement.order, bad == nil || (start + r, c) < (bad!.row, bad!.column) {
                                bad = (start + r, c, v)
                            }
                            column[start + r] = v
                        }
                    }
                }
            }
            if let bad {
                throw .nonCanonical(machine: machine, row: bad.row, column: columnNames[bad.column], value: bad.value)
            }
            start += rows
        }
        return arrays
    }
}

/// Why a trace directory could not be written or read.
public enum TraceFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file system refused `file`.
    case io(file: String, reason: String)
    /// `trace.json` is missing, not JSON of the expected shape, or inconsistent.
    case invalidDescription(reason: String)
    /// `trace.json` lists no entry for the machine.
    case missingMachine(String)
    /// The machine's column list differs from the PIL order at `index`.
    case columnMismatch(machine: String, index: Int, expected: String, found: String)
    /// The machine's binary file does not hold N × columns words.
    case wrongSize(machine: String, expectedBytes: Int, foundBytes: Int)
    /// A cell is not below p.
    case nonCanonical(machine: String, row: Int, column: String, value: UInt64)

    public var description: String {
        switch self {
        case let .io(file, why): return "trace file \(file): \(why)"
        case let .invalidDescription(why): return "trace description: \(why)"
        case let .missingMachine(m): return "trace description: no entry for machine \(m)"
        case let .columnMismatch(m, i, e, f): return "trace \(m): column \(i) is \(f), expected \(e)"
        case let .wrongSize(m, e, f): return "trace \(m): file holds \(f) bytes, expected \(e)"
        case let .nonCanonical(m, row, col, v): return "trace \(m): \(col) at row \(row) is \(v), not below p"
        }
    }
}

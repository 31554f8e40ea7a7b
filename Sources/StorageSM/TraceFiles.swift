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
            try writeRowMajor(values, columns: entry.columns.count, rowCount: n,
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

    /// Reads the traces written by ``write(_:to:)``, checking the format, the column lists,
    /// the file sizes and that every cell is a canonical field element.
    public static func read(from directory: URL) throws(TraceFileError) -> StorageSMTraces {
        let url = directory.appendingPathComponent(descriptionFileName)
        let description: Description
        do {
            description = try JSONDecoder().decode(Description.self, from: Data(contentsOf: url))
        } catch {
            throw .invalidDescription(reason: "\(error)")
        }
        guard description.format == format else {
            throw .invalidDescription(reason: "format is \"\(description.format)\", expected \"\(format)\"")
        }
        let n = description.N
        guard n > 0 else { throw .invalidDescription(reason: "N = \(n) is not positive") }
        func block<C: MachineColumn>(_: C.Type) throws(TraceFileError) -> (values: [UInt64], rowsUsed: Int) {
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
            let values = try readRowMajor(machine: C.machineName, columnNames: expected, rowCount: n,
                                          from: directory.appendingPathComponent(entry.file))
            return (values, entry.rowsUsed)
        }
        let storage = try block(StorageColumn.self)
        let poseidonG = try block(PoseidonGColumn.self)
        let climbKey = try block(ClimbKeyColumn.self)
        var storageTrace = StorageTrace(rowCount: n)
        storageTrace.values = storage.values
        return StorageSMTraces(
            storage: storageTrace, storageRowsUsed: storage.rowsUsed,
            poseidonG: MachineTrace(rowCount: n, rowsUsed: poseidonG.rowsUsed, values: poseidonG.values),
            climbKey: MachineTrace(rowCount: n, rowsUsed: climbKey.rowsUsed, values: climbKey.values))
    }

    /// Writes column-major `values` (`columns` × `rowCount`) as row-major little-endian words.
    static func writeRowMajor(_ values: [UInt64], columns: Int, rowCount: Int, to url: URL) throws(TraceFileError) {
        var words = [UInt64](repeating: 0, count: values.count)
        for c in 0..<columns {
            let base = c * rowCount
            for r in 0..<rowCount { words[r * columns + c] = values[base + r].littleEndian }
        }
        do {
            try words.withUnsafeBytes { try Data($0).write(to: url) }
        } catch {
            throw .io(file: url.path, reason: "\(error)")
        }
    }

    /// Reads a row-major file back into column-major values.
    static func readRowMajor(machine: String, columnNames: [String], rowCount: Int,
                             from url: URL) throws(TraceFileError) -> [UInt64] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .io(file: url.path, reason: "\(error)")
        }
        let columns = columnNames.count
        let expected = 8 * columns * rowCount
        guard data.count == expected else {
            throw .wrongSize(machine: machine, expectedBytes: expected, foundBytes: data.count)
        }
        var values = [UInt64](repeating: 0, count: columns * rowCount)
        var bad: (row: Int, column: Int, value: UInt64)?
        data.withUnsafeBytes { raw in
            for r in 0..<rowCount {
                for c in 0..<columns {
                    let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * (r * columns + c), as: UInt64.self))
                    if v >= FieldElement.order, bad == nil { bad = (r, c, v) }
                    values[c * rowCount + r] = v
                }
            }
        }
        if let bad {
            throw .nonCanonical(machine: machine, row: bad.row, column: columnNames[bad.column], value: bad.value)
        }
        return values
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

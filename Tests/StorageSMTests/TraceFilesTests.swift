import Foundation
import Testing
import Goldilocks
import StorageSM

@Suite("Trace files")
struct TraceFilesTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func traces(rowCount: Int = 1 << 13) throws -> StorageSMTraces {
        try StorageExecutor(rom: ROMFixture.rom())
            .execute(StorageExecutorTests.everyMode().actions, rowCount: rowCount).traces()
    }

    @Test("write then read gives the same traces; the layout is row-major little-endian")
    func roundTrip() throws {
        let traces = try Self.traces()
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try TraceFiles.write(traces, to: dir)
        #expect(try TraceFiles.read(from: dir) == traces)

        let description = try JSONDecoder().decode(
            TraceFiles.Description.self, from: Data(contentsOf: dir.appendingPathComponent("trace.json")))
        #expect(description.N == traces.rowCount && description.format == TraceFiles.format)
        #expect(description.machines.map(\.name) == ["Storage", "PoseidonG", "ClimbKey"])
        #expect(description.machines.map(\.columns.count) == [79, 19, 14])
        #expect(description.machines.map(\.rowsUsed)
            == [traces.storageRowsUsed, traces.poseidonG.rowsUsed, traces.climbKey.rowsUsed])
        #expect(description.machines[0].columns.first == "free0" && description.machines[0].columns.last == "op0inv")
        #expect(description.machines[1].columns[8] == "hashType" && description.machines[2].columns[13] == "carryLt")

        // Cell (c, r) at byte 8·(r·nCols + c), little-endian.
        let storage = try Data(contentsOf: dir.appendingPathComponent("Storage.bin"))
        #expect(storage.count == 8 * 79 * traces.rowCount)
        func word(_ data: Data, _ offset: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(data[data.startIndex + offset + $1]) << (8 * UInt64($1)) }
        }
        let latch = traces.storageRowsUsed - 1
        for column in [StorageColumn.pc, .rkey1, .incCounter, .op0inv, .latchSet] {
            #expect(word(storage, 8 * (latch * 79 + column.rawValue)) == traces.storage[column, latch])
        }
        let pg = try Data(contentsOf: dir.appendingPathComponent("PoseidonG.bin"))
        #expect(word(pg, 8 * (30 * 19 + PoseidonGColumn.hash2.rawValue)) == traces.poseidonG[.hash2, 30])
        let ck = try Data(contentsOf: dir.appendingPathComponent("ClimbKey.bin"))
        #expect(word(ck, 8 * (3 * 14 + ClimbKeyColumn.keyIn.rawValue)) == traces.climbKey[.keyIn, 3])
    }

    @Test("bad files are refused with a typed error")
    func badFiles() throws {
        let traces = try Self.traces(rowCount: 1 << 12)
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try TraceFiles.write(traces, to: dir)
        let ckURL = dir.appendingPathComponent("ClimbKey.bin")
        let original = try Data(contentsOf: ckURL)

        try original.dropLast(8).write(to: ckURL)
        #expect(throws: TraceFileError.wrongSize(machine: "ClimbKey", expectedBytes: original.count,
                                                 foundBytes: original.count - 8)) { try TraceFiles.read(from: dir) }

        var nonCanonical = original
        for k in 0..<8 { nonCanonical[8 * (2 * 14 + 5) + k] = 0xFF }  // row 2, keyIn
        try nonCanonical.write(to: ckURL)
        #expect(throws: TraceFileError.nonCanonical(machine: "ClimbKey", row: 2, column: "keyIn", value: .max)) {
            try TraceFiles.read(from: dir)
        }
        try original.write(to: ckURL)
        #expect(try TraceFiles.read(from: dir) == traces)

        let jsonURL = dir.appendingPathComponent("trace.json")
        let json = try String(contentsOf: jsonURL, encoding: .utf8)
        try json.replacingOccurrences(of: "\"keyInChunk\"", with: "\"keyInchunk\"").write(to: jsonURL, atomically: true, encoding: .utf8)
        #expect(throws: TraceFileError.columnMismatch(machine: "ClimbKey", index: 6, expected: "keyInChunk",
                                                      found: "keyInchunk")) { try TraceFiles.read(from: dir) }
        try json.replacingOccurrences(of: "\"ClimbKey\"", with: "\"Climb\"").write(to: jsonURL, atomically: true, encoding: .utf8)
        #expect(throws: TraceFileError.missingMachine("ClimbKey")) { try TraceFiles.read(from: dir) }
        try FileManager.default.removeItem(at: jsonURL)
        #expect(throws: TraceFileError.self) { try TraceFiles.read(from: dir) }
    }
}

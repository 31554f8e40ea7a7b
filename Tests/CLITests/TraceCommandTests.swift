import Foundation
import Testing
import TestSupport

/// `zkstate trace` and `zkstate trace check`, run as the built binary on the shipped ROM and PIL
/// files with N = 2^12.
@Suite("zkstate trace, trace check")
struct TraceCommandTests {
    static let rom = Vectors.url("storage-sm/storage_sm_rom.json").path
    static let storagePIL = Vectors.url("storage-sm/storage.pil").path
    static let globalPIL = Vectors.url("storage-sm/global.pil").path
    static let genesis = Vectors.url("state-tree/mainnet-genesis.json").path
    /// An account of the mainnet genesis with a balance, a nonce and storage slots 0 and 1.
    static let account = "0x2a3DD3EB832aF982ec71669E178424b10Dca2EDe"
    static let n = 1 << 12

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ json: String, in directory: URL, name: String = "ops.json") throws -> String {
        let url = directory.appendingPathComponent(name)
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Runs `zkstate trace` on `ops` (JSON text) into `<dir>/trace`.
    static func trace(_ ops: String, in directory: URL, genesis: Bool = false,
                      extra: [String] = []) throws -> (CLIRunner.Result, URL) {
        let out = directory.appendingPathComponent("trace")
        var arguments = ["trace", "--rom", rom, "--ops", try write(ops, in: directory), "--out", out.path, "--n-bits", "12"]
        if genesis { arguments += ["--genesis", Self.genesis] }
        return (try CLIRunner.run(arguments + extra), out)
    }

    /// The `action i: …` lines.
    static func actionLines(_ stdout: String) -> [String] {
        stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("action ") }
    }

    @Test func keyFormOperationsOnTheEmptyTree() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ops = """
            [{"op": "get", "key": "1"},
             {"op": "set", "key": "1", "value": "100"},
             {"op": "set", "key": "0x3", "value": "0x200"},
             {"op": "set", "key": "1", "value": "7"},
             {"op": "get", "key": "3"},
             {"op": "set", "key": "2", "value": "0"},
             {"op": "set", "key": "1", "value": "0"}]
            """
        let (r, out) = try Self.trace(ops, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let actions = Self.actionLines(r.stdout)
        #expect(actions.count == 7)
        let kinds = ["get", "set insertNotFound", "set insertFound", "set update", "get", "set zeroToZero", "set deleteFound"]
        for (line, kind) in zip(actions, kinds) { #expect(line.contains(": \(kind) key 0x"), "\(line)") }
        // The first action: a GET of the empty tree, S = 0, 11 rows, no hash (spec §11).
        #expect(actions[0].hasSuffix("siblings 0 rows 11 hashes 0 climbs 0"), "\(actions[0])")
        // insertNotFound on the empty tree: 17 rows, 2 hashes.
        #expect(actions[1].hasSuffix("siblings 0 rows 17 hashes 2 climbs 0"), "\(actions[1])")
        #expect(r.stdout.contains("rows used (N = 4096): Storage "))
        #expect(r.stdout.contains("check: pass ("))
        #expect(r.stdout.hasSuffix("\n"))

        // The files: one little-endian word per cell, rows one after another.
        let description = try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("trace.json"))) as! [String: Any]
        #expect(description["N"] as? Int == Self.n)
        let machines = description["machines"] as! [[String: Any]]
        #expect(machines.map { $0["name"] as! String } == ["Storage", "PoseidonG", "ClimbKey"])
        for (machine, columns) in zip(machines, [79, 19, 14]) {
            #expect((machine["columns"] as! [String]).count == columns)
            let size = try FileManager.default.attributesOfItem(
                atPath: out.appendingPathComponent(machine["file"] as! String).path)[.size] as! Int
            #expect(size == 8 * columns * Self.n)
        }
        let storage = try Data(contentsOf: out.appendingPathComponent("Storage.bin"))
        func cell(_ row: Int, _ column: Int) -> UInt64 {
            storage.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * (row * 79 + column), as: UInt64.self)) }
        }
        #expect(cell(0, 42) == 0 && cell(1, 42) == 1)        // pc: line 0, then line 1
        #expect(cell(Self.n - 1, 42) == 284)                 // the last row jumps back to line 0
        #expect(cell(Self.n - 1, 74) == 1)                   // jmp
    }

    @Test func accountFormOperationsOnTheGenesis() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ops = """
            [{"op": "get", "account": "\(Self.account)", "field": "balance"},
             {"op": "set", "account": "\(Self.account)", "field": "balance", "value": "1"},
             {"op": "get", "account": "\(Self.account)", "field": "nonce"},
             {"op": "set", "account": "\(Self.account)", "field": "nonce", "value": 2},
             {"op": "get", "account": "\(Self.account)", "field": "storage", "slot": "0"},
             {"op": "set", "account": "\(Self.account)", "field": "storage", "slot": "0x1", "value": "0"},
             {"op": "set", "account": "0x0000000000000000000000000000000000000001", "field": "storage", "slot": "5", "value": "9"}]
            """
        let (r, out) = try Self.trace(ops, in: dir, genesis: true)
        #expect(r.status == 0, "\(r.stderr)")
        let actions = Self.actionLines(r.stdout)
        #expect(actions.count == 7)
        let kinds = ["get", "set update", "get", "set update", "get", "set delete", "set insert"]
        for (line, kind) in zip(actions, kinds) { #expect(line.contains(": \(kind)"), "\(line)") }
        for line in actions { #expect(!line.contains("siblings 0 "), "\(line)") }  // a real tree: S > 0
        #expect(r.stdout.contains("check: pass ("))

        // The same directory passes `trace check` on its own, with the PIL files named.
        let check = try CLIRunner.run(["trace", "check", out.path, "--pil", Self.storagePIL, Self.globalPIL])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.hasPrefix("check: pass ("))
        #expect(check.stdout.contains("Storage") && check.stdout.contains("ClimbKey") && check.stdout.contains("PoseidonG"))

        // The reference's reduced Main is read too; Main itself has no trace columns here.
        let main = try CLIRunner.run(["trace", "check", out.path, "--pil", Vectors.url("storage-sm/storage_main.test.pil").path])
        #expect(main.status == 0, "\(main.stdout)\(main.stderr)")
        #expect(main.stdout.contains("not checked (no trace columns): Main"))
    }

    @Test func aTamperedCellFailsTheCheck() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, out) = try Self.trace(#"[{"op": "set", "key": "5", "value": "6"}, {"op": "get", "key": "5"}]"#, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let file = out.appendingPathComponent("Storage.bin")
        let clean = try Data(contentsOf: file)
        // (row, column): pc of row 3 (the program counter identity), level of row 10, incCounter
        // of row 8, and a PoseidonG-bound hashRight limb.
        for (row, column) in [(3, 42), (10, 41), (8, 77), (12, 9)] {
            var tampered = clean
            let offset = 8 * (row * 79 + column)
            let old = tampered.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
            withUnsafeBytes(of: (old + 1).littleEndian) { tampered.replaceSubrange(offset ..< offset + 8, with: $0) }
            try tampered.write(to: file)
            let check = try CLIRunner.run(["trace", "check", out.path, "--pil", Self.storagePIL, Self.globalPIL])
            #expect(check.status == 1, "row \(row) column \(column): \(check.stdout)\(check.stderr)")
            #expect(check.stdout.hasPrefix("check: FAIL"))
            #expect(check.stdout.contains("storage.pil:"), "\(check.stdout)")
        }
        // A cell that is not a field element.
        var tampered = clean
        withUnsafeBytes(of: UInt64.max) { tampered.replaceSubrange(8 * 79 ..< 8 * 80, with: $0) }
        try tampered.write(to: file)
        let check = try CLIRunner.run(["trace", "check", out.path, "--pil", Self.storagePIL, Self.globalPIL])
        #expect(check.status == 1 && check.stdout.contains("not below p"), "\(check.stdout)\(check.stderr)")
        try clean.write(to: file)
        #expect(try CLIRunner.run(["trace", "check", out.path, "--pil", Self.storagePIL, Self.globalPIL]).status == 0)
    }

    @Test func tooManyActionsForNFailWithTheActionNamed() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ops = #"[{"op": "set", "key": "1", "value": "1"}, {"op": "set", "key": "2", "value": "1"}]"#
        let (r, _) = try Self.trace(ops, in: dir, extra: ["--n-bits", "5"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("zkstate: trace: storage executor: out of rows at action 1"), "\(r.stderr)")
    }

    @Test(arguments: [
        (#"{"op": "get", "key": "1"}"#, "--ops: $: expected an array"),
        (#"[{"op": "put", "key": "1"}]"#, "--ops: $[0].op: expected \"get\" or \"set\""),
        (#"[{"key": "1"}]"#, "--ops: $[0].op: missing"),
        (#"[{"op": "get", "key": "1"}, {"op": "set", "key": "1"}]"#, "--ops: $[1].value: missing"),
        (#"[{"op": "get", "key": "1", "value": "2"}]"#, "--ops: $[0].value: a get takes no value"),
        (#"[{"op": "get", "key": "zz"}]"#, "--ops: $[0].key:"),
        (#"[{"op": "get", "key": "0xFFFFFFFFFFFFFFFF"}]"#, "--ops: $[0].key:"),
        (#"[{"op": "set", "key": "1", "value": "-1"}]"#, "--ops: $[0].value:"),
        (#"[{"op": "get", "key": "1", "colour": "red"}]"#, "--ops: $[0].colour: unknown field"),
        (#"[{"op": "get", "key": "1", "account": "0x00"}]"#, "--ops: $[0].account: not allowed with \"key\""),
        (#"[{"op": "get"}]"#, "--ops: $[0].key: missing"),
        (#"[{"op": "get", "account": "0x12", "field": "balance"}]"#, "--ops: $[0].account:"),
        (#"[{"op": "get", "account": "0x0000000000000000000000000000000000000001"}]"#, "--ops: $[0].field: missing"),
        (#"[{"op": "get", "account": "0x0000000000000000000000000000000000000001", "field": "code"}]"#,
         "--ops: $[0].field: expected \"balance\", \"nonce\" or \"storage\""),
        (#"[{"op": "get", "account": "0x0000000000000000000000000000000000000001", "field": "storage"}]"#,
         "--ops: $[0].slot: missing"),
        (#"[{"op": "get", "account": "0x0000000000000000000000000000000000000001", "field": "nonce", "slot": "1"}]"#,
         "--ops: $[0].slot: only a storage field takes a slot"),
        ("[", "--ops: not valid JSON"),
    ])
    func badOperationsFileNamesTheJSONPath(_ ops: String, _ expected: String) throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, out) = try Self.trace(ops, in: dir)
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("zkstate: \(expected)"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func badArgumentsAreNamed() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ops = try Self.write(#"[{"op": "get", "key": "1"}]"#, in: dir)
        let out = dir.appendingPathComponent("t").path
        let cases: [([String], String)] = [
            (["trace", "--ops", ops, "--out", out], "--rom: missing"),
            (["trace", "--rom", Self.rom, "--out", out], "--ops: missing"),
            (["trace", "--rom", Self.rom, "--ops", ops], "--out: missing"),
            (["trace", "--rom", Self.rom, "--ops", ops, "--out", out, "--n-bits", "4"], "--n-bits: 4 is outside"),
            (["trace", "--rom", Self.rom, "--ops", ops, "--out", out, "--n-bits", "x"], ""),
            (["trace", "--rom", "/nonexistent/rom.json", "--ops", ops, "--out", out], "--rom:"),
            (["trace", "--rom", ops, "--ops", ops, "--out", out], "--rom:"),
            (["trace", "--rom", Self.rom, "--ops", "/nonexistent.json", "--out", out], "--ops: file '/nonexistent.json' not found"),
            (["trace", "--rom", Self.rom, "--ops", ops, "--out", out, "--genesis", ops], "--genesis:"),
            (["trace", "--rom", Self.rom, "--ops", ops, "--out", out, "--pil", "/nonexistent.pil"], "--pil: file '/nonexistent.pil' not found"),
            (["trace", "check", dir.path, "--pil", Self.storagePIL], "<directory>:"),
            (["trace", "check", out], "--pil: missing"),
        ]
        for (arguments, expected) in cases {
            let r = try CLIRunner.run(arguments)
            #expect(r.status == 64, "\(arguments): \(r.stderr)")
            #expect(r.stderr.hasPrefix("zkstate: \(expected)"), "\(arguments): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}

import ArgumentParser
import Foundation
import Goldilocks
import Poseidon
import SMT
import StorageSM
import ZKEVMState

/// `zkstate trace`: runs operations on a state, writes the storage state machine's trace
/// (Storage, PoseidonG, ClimbKey) and checks it against the PIL; `zkstate trace check` checks
/// an existing trace directory.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Execution trace of the storage state machine for a list of state-tree operations, checked against the PIL.",
        discussion: """
            zkstate trace --rom ROM.json [--genesis FILE] --ops OPS.json --out DIR [--n-bits K] [--pil PATH ...]
            zkstate trace check DIR --pil PATH ... [--rom ROM.json]

            OPS.json is a JSON list of {"op": "set", "key": K, "value": V} or {"op": "get", "key": K}, \
            K and V as in `zkstate smt apply` (decimal or 0x-hex; value 0 deletes), or with \
            "account": ADDRESS, "field": "balance"|"nonce"|"storage" (and "slot": S for storage) in \
            place of "key". The operations run in order on the state of the genesis (the empty tree \
            without one). DIR receives one binary file per machine (N rows one after another, one \
            little-endian UInt64 per cell, columns in PIL declaration order) and trace.json (format, \
            N, and per machine its file, column names and rows used). The command prints each \
            action, the rows used per machine and the check result; it exits 0 only when the check \
            passes. N = 2^K (default 2^23 as in fork 9: about 7.5 GB of trace files).
            """,
        subcommands: [Check.self]
    )

    @OptionGroup var sources: TraceSources
    @Option(help: "The genesis file the state starts from (empty tree without it).") var genesis: String?
    @Option(help: "Which genesis of a file that holds several (0 first).") var index = 0
    @Option(help: "The operations, a JSON list ('-' reads standard input).") var ops: String?
    @Option(help: "The directory the trace files are written to (created if missing).") var out: String?
    @Option(name: .customLong("n-bits"), help: "N = 2^K rows per machine, 5 ≤ K ≤ 26.") var nBits = 23

    func run() throws {
        let (rom, pil, poseidonConstants) = (sources.rom, sources.pil, sources.poseidonConstants)
        guard let rom else { throw UsageError(argument: "--rom", reason: "missing (the compiled storage ROM JSON)") }
        guard let ops else { throw UsageError(argument: "--ops", reason: "missing (the operations JSON)") }
        guard let out else { throw UsageError(argument: "--out", reason: "missing (the trace directory)") }
        guard (5...26).contains(nBits) else {
            throw UsageError(argument: "--n-bits", reason: "\(nBits) is outside 5 … 26 (N = 2^K must be a multiple of 32)")
        }
        let romURL = URL(fileURLWithPath: rom)
        let storageROM: StorageROM
        do { storageROM = try StorageROM(contentsOf: romURL) } catch {
            throw UsageError(argument: "--rom", reason: "\(error)")
        }
        let pilURLs = try TraceCheck.pilFiles(pil, rom: romURL)
        let operations = try TraceOperations.parse(Input.json(Input.file(ops, argument: "--ops"), argument: "--ops"))

        // The state, then the operations through the recorder.
        let tree = SparseMerkleTree()
        var root = NodeHash.zero
        if let genesis {
            let all = try Input.genesis(genesis, argument: "--genesis")
            guard all.indices.contains(index) else {
                throw UsageError(argument: "--index", reason: "\(index) is out of range: the file holds \(all.count) genesis")
            }
            root = try ZKEVMState(tree: tree).write(all[index].accounts)
        }
        var recorder = SMTActionRecorder(tree: tree)
        for operation in operations {
            switch operation {
            case let .get(key): try recorder.get(root: root, key: key)
            case let .set(key, value): root = try recorder.set(root: root, key: key, value: value).newRoot
            }
        }
        let actions = recorder.actions

        let n = 1 << nBits
        let execution: StorageExecution
        let traces: StorageSMTraces
        do {
            execution = try StorageExecutor(rom: storageROM).execute(actions, rowCount: n)
            traces = try execution.traces()
        } catch {
            FileHandle.standardError.write(Data("zkstate: trace: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let outURL = URL(fileURLWithPath: out)
        do { try TraceFiles.write(traces, to: outURL) } catch {
            throw UsageError(argument: "--out", reason: "\(error)")
        }

        var lines = ["actions: \(actions.count), final root \(root.hexString)"]
        var previousLatch = -1
        var climbIndex = 0
        for (a, action) in actions.enumerated() {
            let latch = execution.latchRows[a]
            var climbs = 0
            while climbIndex < execution.climbKeyRequests.count, execution.climbKeyRequests[climbIndex].row <= latch {
                climbs += 1
                climbIndex += 1
            }
            let kind = action.mode.map { "set \($0.rawValue)" } ?? "get"
            lines.append("action \(a): \(kind) key \(action.key.hexString) siblings \(action.siblings.count) "
                + "rows \(latch - previousLatch) hashes \(action.proofHashCounter) climbs \(climbs)")
            previousLatch = latch
        }
        lines.append("rows used (N = \(n)): Storage \(traces.storageRowsUsed), PoseidonG \(traces.poseidonG.rowsUsed), "
            + "ClimbKey \(traces.climbKey.rowsUsed)")
        lines.append("trace written to \(outURL.path)")
        print(lines.joined(separator: "\n"))
        // The check reads the files back: what was written is what is checked.
        try TraceCheck.report(directory: outURL, directoryArgument: "--out", pil: pilURLs, rom: romURL,
                              poseidonConstants: poseidonConstants)
    }

    /// `zkstate trace check DIR --pil PATH...`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a trace directory against PIL files: exit 0 when every constraint holds, 1 when one fails.",
            discussion: """
                Every identity, plookup and permutation written in a namespace whose committed columns \
                the trace holds (Storage, PoseidonG, ClimbKey; Global has none) is evaluated on every \
                row, with row N−1 followed by row 0. The constant columns are built for the trace's N \
                from the ROM and the Poseidon round constants; the ClimbKey table is checked by its rule.
                """
        )

        @Argument(help: "The trace directory (as `zkstate trace --out` writes it).") var directory: String
        @OptionGroup var sources: TraceSources

        func run() throws {
            let (rom, pil, poseidonConstants) = (sources.rom, sources.pil, sources.poseidonConstants)
            guard !pil.isEmpty else { throw UsageError(argument: "--pil", reason: "missing (at least one PIL file)") }
            let pilURLs = try TraceCheck.pilFiles(pil, rom: nil)
            let romURL: URL
            if let rom {
                romURL = URL(fileURLWithPath: rom)
            } else {
                romURL = pilURLs[0].deletingLastPathComponent().appendingPathComponent("storage_sm_rom.json")
                guard FileManager.default.fileExists(atPath: romURL.path) else {
                    throw UsageError(argument: "--rom", reason: "missing, and no storage_sm_rom.json next to \(pil[0])")
                }
            }
            try TraceCheck.report(directory: URL(fileURLWithPath: directory), directoryArgument: "<directory>",
                                  pil: pilURLs, rom: romURL, poseidonConstants: poseidonConstants)
        }
    }
}

/// The inputs both `trace` and `trace check` take (declared once: a subcommand shares its
/// parent's options).
struct TraceSources: ParsableArguments {
    @Option(help: "The compiled storage ROM (storage_sm_rom.json); for `check`, default: the one next to the first PIL file.")
    var rom: String?
    @Option(parsing: .upToNextOption,
            help: "PIL files to check against, includes followed (default for `trace`: storage.pil and global.pil next to the ROM).")
    var pil: [String] = []
    @Option(name: .customLong("poseidon-constants"),
            help: "Poseidon parameters JSON with round_constants for the PoseidonG constants (default: the built-in constants).")
    var poseidonConstants: String?
}

/// One operation of OPS.json.
enum TraceOperation: Equatable {
    /// Read `key`.
    case get(SMTKey)
    /// Write `value` under `key` (0 deletes).
    case set(SMTKey, UInt256)
}

/// Parsing OPS.json; every error names the JSON path of the bad field.
enum TraceOperations {
    static let fields: Set<String> = ["op", "key", "value", "account", "field", "slot"]

    static func parse(_ json: Any) throws -> [TraceOperation] {
        func bad(_ path: String, _ reason: String) -> UsageError { UsageError(argument: "--ops", reason: "\(path): \(reason)") }
        guard let list = json as? [Any] else { throw bad("$", "expected an array of operation objects") }
        var operations: [TraceOperation] = []
        for (i, element) in list.enumerated() {
            let path = "$[\(i)]"
            guard let object = element as? [String: Any] else { throw bad(path, "expected an object") }
            if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
                throw bad("\(path).\(unknown)", "unknown field (expected op, key, value, account, field, slot)")
            }
            guard let op = object["op"] else { throw bad("\(path).op", "missing") }
            guard let name = op as? String, name == "get" || name == "set" else {
                throw bad("\(path).op", "expected \"get\" or \"set\"")
            }
            let key = try self.key(object, path: path)
            if name == "get" {
                guard object["value"] == nil else { throw bad("\(path).value", "a get takes no value") }
                operations.append(.get(key))
            } else {
                guard let value = object["value"] else { throw bad("\(path).value", "missing") }
                do {
                    operations.append(.set(key, try Genesis.number(value, path: "\(path).value")))
                } catch {
                    throw UsageError(argument: "--ops", reason: "\(error)")
                }
            }
        }
        return operations
    }

    /// The key of `object`: `key`, or `account` + `field` (+ `slot` for storage).
    static func key(_ object: [String: Any], path: String) throws -> SMTKey {
        func bad(_ path: String, _ reason: String) -> UsageError { UsageError(argument: "--ops", reason: "\(path): \(reason)") }
        if let keyValue = object["key"] {
            for other in ["account", "field", "slot"] where object[other] != nil {
                throw bad("\(path).\(other)", "not allowed with \"key\"")
            }
            do { return try Genesis.digest(keyValue, path: "\(path).key") } catch {
                throw UsageError(argument: "--ops", reason: "\(error)")
            }
        }
        guard let account = object["account"] else { throw bad("\(path).key", "missing (or give \"account\" and \"field\")") }
        guard let accountText = account as? String else { throw bad("\(path).account", "expected an address string") }
        let address: Address
        do { address = try Address(hex: accountText) } catch { throw bad("\(path).account", "\(error)") }
        guard let field = object["field"] else { throw bad("\(path).field", "missing") }
        let slot = object["slot"]
        switch field as? String {
        case "balance"?, "nonce"?:
            guard slot == nil else { throw bad("\(path).slot", "only a storage field takes a slot") }
            return (field as? String) == "balance" ? StateKey.balance(address) : StateKey.nonce(address)
        case "storage"?:
            guard let slot else { throw bad("\(path).slot", "missing (a storage field needs a slot)") }
            do { return StateKey.storage(address, slot: try Genesis.number(slot, path: "\(path).slot")) } catch {
                throw UsageError(argument: "--ops", reason: "\(error)")
            }
        default:
            throw bad("\(path).field", "expected \"balance\", \"nonce\" or \"storage\"")
        }
    }
}

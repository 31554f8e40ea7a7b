import ArgumentParser
import Foundation
import Goldilocks
import HashDB
import Poseidon
import SMT
import ZKEVMState

/// Opening a HashDB from `--db`: bad locations are usage errors, unreachable stores runtime ones.
enum Database {
    /// Parses a `--db` value.
    static func location(_ text: String, argument: String = "--db") throws -> StoreLocation {
        do { return try StoreLocation(text) } catch {
            throw UsageError(argument: argument, reason: "\(error)")
        }
    }

    /// A HashDB on `text`, with a modest cache for a command-line run.
    static func open(_ text: String, argument: String = "--db", readOnly: Bool = false) throws -> HashDB {
        var config = HashDBConfiguration(location: try location(text, argument: argument))
        config.nodeCacheMB = 256
        config.programCacheMB = 64
        config.readOnly = readOnly
        return try HashDB(configuration: config)
    }

    /// Stores a built state: nodes written through, programs, root row; waits until durable.
    static func store(_ db: HashDB, accounts: [Account], progress: BatchProgress?) throws -> NodeHash {
        let state = ZKEVMState(tree: SparseMerkleTree(store: db.treeStore(persistence: .database)))
        let root = try state.write(accounts, progress: progress)
        for account in accounts {
            if let code = account.bytecode { try db.setProgram(Poseidon.hashBytecode(code), bytes: code) }
        }
        db.recordStateRoot(root)
        try db.flush(wait: true)
        return root
    }
}

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read the value under a key of a stored state; prints it as a decimal integer (0 when absent)."
    )

    @Option(help: "The store: a SQLite path, sqlite:PATH, postgresql://user:pass@host:port/db, or memory.") var db: String
    @Option(help: "The state root, 0x + 64 hex digits.") var root: String
    @Option(help: "The key: a 256-bit integer, decimal or 0x-hex (four 64-bit limbs, each < p).") var key: String

    func run() throws {
        let r = try Input.root(root, argument: "--root")
        let k = try Input.key(key, argument: "--key")
        let hashDB = try Database.open(db, readOnly: true)
        defer { hashDB.close() }
        print(try hashDB.get(root: r, key: k).result.value.description)
    }
}

struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Read an account of a stored state: balance, nonce, code hash, code length and storage slots.",
        discussion: """
            Without --json, one 'name: value' line each (balance, nonce, codeHash, codeLength, then \
            storage[SLOT] lines). With --json, one object: balance and nonce as decimal strings, codeHash \
            as 0x + 64 hex digits, codeLength as a number, storage as an object of slot (0x + 64 hex \
            digits) -> value (decimal string).
            """
    )

    @Option(help: "The store: a SQLite path, sqlite:PATH, postgresql://user:pass@host:port/db, or memory.") var db: String
    @Option(help: "The state root, 0x + 64 hex digits.") var root: String
    @Argument(help: "20-byte address, hex with or without 0x.") var address: String
    @Option(name: .customLong("slot"), help: "A storage slot to read, decimal or 0x-hex (repeatable).") var slots: [String] = []
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let r = try Input.root(root, argument: "--root")
        let a = try Input.address(address, argument: "<address>")
        let slotValues = try slots.map { try Input.scalar($0, argument: "--slot") }
        let hashDB = try Database.open(db, readOnly: true)
        defer { hashDB.close() }
        let state = ZKEVMState(tree: SparseMerkleTree(store: hashDB.treeStore()))
        let account = try state.account(root: r, a, slots: slotValues)
        let codeHash = try Digest(scalar: account.codeHash).hexString
        guard account.codeLength <= UInt256(UInt64(Int.max)) else {
            throw ValidationError("code length \(account.codeLength) does not fit a JSON number")
        }
        let codeLength = Int(account.codeLength.words.0)
        func slotText(_ s: UInt256) -> String { "0x" + String(s.unprefixedHex.reversed()).padding(toLength: 64, withPad: "0", startingAt: 0).reversed() }
        if json {
            var storage: [String: Any] = [:]
            for s in slotValues { storage[slotText(s)] = (account.storage[s] ?? .zero).description }
            let object: [String: Any] = ["balance": account.balance.description, "nonce": account.nonce.description,
                                         "codeHash": codeHash, "codeLength": codeLength, "storage": storage]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            var lines = ["balance: \(account.balance)", "nonce: \(account.nonce)", "codeHash: \(codeHash)", "codeLength: \(codeLength)"]
            for s in slotValues { lines.append("storage[\(slotText(s))]: \(account.storage[s] ?? .zero)") }
            print(lines.joined(separator: "\n"))
        }
    }
}

struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Store maintenance: check a tree, copy between stores.",
        subcommands: [Check.self, Copy.self, Stress.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk every node under a root; report missing or corrupt nodes with their paths (exit 1 if any).",
            discussion: "Paths are the bits from the root (0 left, 1 right); a trailing 'v' is a leaf's value node."
        )

        @Option(help: "The store.") var db: String
        @Option(help: "The state root, 0x + 64 hex digits.") var root: String

        func run() throws {
            let r = try Input.root(root, argument: "--root")
            let store = try Database.location(db).open(readOnly: true)
            defer { store.close() }
            let report = try TreeCheck().run(root: r) { hashes throws(HashDBError) in try store.readNodes(hashes) }
            for p in report.problems { print(p.description) }
            let summary = "checked \(report.nodes) nodes (\(report.branches) branches, \(report.leaves) leaves, \(report.values) values): \(report.problemCount) problems"
            if report.isClean {
                print(summary)
            } else {
                FileHandle.standardError.write(Data("zkstate: \(summary)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy nodes and programs between two stores (all, or what --root reaches); resumable and idempotent."
        )

        @Option(help: "The source store.") var from: String
        @Option(help: "The destination store.") var to: String
        @Option(help: "Copy only what this root reaches.") var root: String?

        func run() throws {
            let r = try root.map { try Input.root($0, argument: "--root") }
            let source = try Database.location(from, argument: "--from").open(readOnly: true)
            defer { source.close() }
            let destination = try Database.location(to, argument: "--to").open()
            defer { destination.close() }
            let summary = try r.map { try StoreCopy().copyTree(root: $0, from: source, to: destination) }
                ?? StoreCopy().copyAll(from: source, to: destination)
            print("copied \(summary.nodes) nodes and \(summary.programs) programs" +
                  (r == nil ? "" : ", \(summary.skippedSubtrees) subtrees already present"))
        }
    }

    /// Crash-test driver: random Sets and synchronous flushes in a loop, one line per stored flush.
    struct Stress: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test driver: apply seeded random writes and flush in a loop; prints 'STEP ROOT' after each stored flush.",
            shouldDisplay: false
        )

        @Option(help: "The store.") var db: String
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "Writes per flush.") var writes = 100
        @Option(help: "Number of flushes.") var steps = 1000
        @Option(help: "The workload step to start with (the store's root row is the state before it).") var firstStep = 0

        func run() throws {
            let hashDB = try Database.open(db)
            var root = try hashDB.store.stateRoot()
            let generator = SeededWorkload(seed: seed, writesPerStep: writes)
            let out = FileHandle.standardOutput
            for step in firstStep..<(firstStep + steps) {
                let ops = generator.writes(step: step)
                root = try SparseMerkleTree(store: hashDB.treeStore(persistence: .database)).setMany(root: root, ops)
                hashDB.recordStateRoot(root)
                try hashDB.flush(wait: true)
                out.write(Data("\(step) \(root.hexString)\n".utf8))
            }
            hashDB.close()
        }
    }
}


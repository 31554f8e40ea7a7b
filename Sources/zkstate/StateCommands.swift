import ArgumentParser
import Foundation
import HashDB
import Goldilocks
import SMT
import ZKEVMState

struct GenesisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genesis",
        abstract: "Build the state of a genesis file and print its root (0x + 64 hex digits).",
        discussion: """
            FILE is the node format ({"genesis": [{"address", "balance", "nonce", "bytecode", "storage"}]}) \
            or the account-list format of the public vectors ({"addresses": [...]}, or an array of those: \
            one root per line). Balances and nonces are decimal or 0x-hex; storage maps slot -> value.
            """
    )

    @Argument(help: "The genesis file ('-' reads standard input).")
    var file: String

    @Flag(help: "Exit 1 when a root differs from the one the file states.")
    var check = false

    @Option(help: "Keep the nodes and programs in this store (a SQLite path, sqlite:PATH, postgresql://…); the root row names the last root.")
    var db: String?

    func run() throws {
        var mismatch = false
        let hashDB = try db.map { try Database.open($0) }
        defer { hashDB?.close() }
        for genesis in try Input.genesis(file, argument: "<file>") {
            let progress = BatchProgress()
            let root = try ProgressBar.run("genesis", progress: progress) {
                if let hashDB { return try Database.store(hashDB, accounts: genesis.accounts, progress: progress) }
                return try ZKEVMState(tree: SparseMerkleTree()).write(genesis.accounts, progress: progress)
            }
            print(root.hexString)
            if check, let expected = genesis.expectedRoot, expected != root {
                FileHandle.standardError.write(Data("zkstate: root \(root.hexString) differs from the file's \(expected.hexString)\n".utf8))
                mismatch = true
            }
        }
        if mismatch { throw ExitCode(1) }
    }
}

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Print the state-tree key of an account field.",
        discussion: """
            zkstate key balance|nonce|code|length ADDRESS
            zkstate key storage ADDRESS SLOT
            The key prints as 0x + 64 hex digits (h4toString), or with --decimal as the 256-bit integer.
            """
    )

    /// The account fields that have a key.
    enum Field: String, CaseIterable, ExpressibleByArgument {
        case balance, nonce, code, length, storage

        var leafType: LeafType {
            switch self {
            case .balance: return .balance
            case .nonce: return .nonce
            case .code: return .codeHash
            case .length: return .codeLength
            case .storage: return .storage
            }
        }
    }

    @Argument(help: "balance (type 0), nonce (1), code (2: code hash), storage (3) or length (4: code length).")
    var field: Field

    @Argument(help: "20-byte address, hex with or without 0x.")
    var address: String

    @Argument(help: "The storage slot, decimal or 0x-hex (< 2^256); for 'storage' only.")
    var slot: String?

    @Flag(help: "Print the key as a decimal 256-bit integer instead of 0x + 64 hex digits.")
    var decimal = false

    func run() throws {
        let a = try Input.address(address, argument: "<address>")
        var slotValue = UInt256.zero
        switch (field, slot) {
        case (.storage, nil):
            throw UsageError(argument: "<slot>", reason: "a storage key needs a slot")
        case let (.storage, text?):
            slotValue = try Input.scalar(text, argument: "<slot>")
        case (_, _?):
            throw UsageError(argument: "<slot>", reason: "only a storage key takes a slot")
        case (_, nil):
            break
        }
        let key = StateKey.key(field.leafType, a, slot: slotValue)
        print(decimal ? key.scalar.description : key.hexString)
    }
}

struct ProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Print the Merkle proof (inclusion or absence) of a key in a genesis state, as JSON."
    )

    @Option(help: "The genesis file the state is built from.") var genesis: String
    @Option(help: "The key: a 256-bit integer, decimal or 0x-hex (four 64-bit limbs, each < p).") var key: String
    @Option(help: "Which genesis of a file that holds several (0 first).") var index = 0

    func run() throws {
        let k = try Input.key(key, argument: "--key")
        let all = try Input.genesis(genesis, argument: "--genesis")
        guard all.indices.contains(index) else {
            throw UsageError(argument: "--index", reason: "\(index) is out of range: the file holds \(all.count) genesis")
        }
        let state = ZKEVMState(tree: SparseMerkleTree())
        let root = try state.write(all[index].accounts)
        let proof = try state.tree.proof(root: root, key: k)
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(proof)) as! [String: Any]
        object["root"] = root.hexString
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a proof against a root: prints 'valid' (exit 0) or why it is not (exit 1)."
    )

    @Argument(help: "The proof JSON, as `zkstate proof` prints it ('-' reads standard input).") var proofFile: String
    @Option(help: "The state root, 0x + 64 hex digits.") var root: String

    func run() throws {
        let r = try Input.root(root, argument: "--root")
        let data = try Input.file(proofFile, argument: "<proof-file>")
        let proof: MerkleProof
        do {
            proof = try JSONDecoder().decode(MerkleProof.self, from: data)
        } catch let error as DecodingError {
            throw UsageError(argument: "<proof-file>", reason: DecodingErrorText.describe(error))
        } catch {
            throw UsageError(argument: "<proof-file>", reason: "not valid JSON")
        }
        do {
            try proof.verify(root: r)
            print("valid")
        } catch {
            print("invalid: \(error)")
            throw ExitCode(1)
        }
    }
}

struct SMTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smt",
        abstract: "Raw state-tree operations.",
        subcommands: [Apply.self]
    )

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply a JSON list of {\"key\": K, \"value\": V} to the empty tree; print each new root and mode.",
            discussion: """
                K is the 256-bit key (decimal or 0x-hex) split into four 64-bit limbs; V is decimal or \
                0x-hex, and 0 deletes. One line per operation: the root (0x + 64 hex digits) and the mode.
                """
        )

        @Argument(help: "The operations file ('-' reads standard input).") var file: String
        @Option(help: "Keep the nodes in this store (a SQLite path, sqlite:PATH, postgresql://…).") var db: String?

        func run() throws {
            let json = try Input.json(Input.file(file, argument: "<file>"), argument: "<file>")
            guard let list = json as? [Any] else {
                throw UsageError(argument: "<file>", reason: "$: expected an array of {\"key\", \"value\"} objects")
            }
            var ops: [(SMTKey, UInt256)] = []
            for (i, element) in list.enumerated() {
                guard let object = element as? [String: Any] else {
                    throw UsageError(argument: "<file>", reason: "$[\(i)]: expected an object")
                }
                guard let keyValue = object["key"] else { throw UsageError(argument: "<file>", reason: "$[\(i)].key: missing") }
                guard let value = object["value"] else { throw UsageError(argument: "<file>", reason: "$[\(i)].value: missing") }
                do {
                    let key = try Genesis.digest(keyValue, path: "$[\(i)].key")
                    ops.append((key, try Genesis.number(value, path: "$[\(i)].value")))
                } catch {
                    throw UsageError(argument: "<file>", reason: "\(error)")
                }
            }
            var root = NodeHash.zero
            var lines: [String] = []
            if let db {
                let hashDB = try Database.open(db)
                defer { hashDB.close() }
                for (key, value) in ops {
                    let result = try hashDB.set(root: root, key: key, value: value).result
                    root = result.newRoot
                    lines.append("\(root.hexString) \(result.mode.rawValue)")
                }
                try hashDB.flush(wait: true)
            } else {
                let tree = SparseMerkleTree()
                for (key, value) in ops {
                    let result = try tree.set(root: root, key: key, value: value)
                    root = result.newRoot
                    lines.append("\(root.hexString) \(result.mode.rawValue)")
                }
            }
            if !lines.isEmpty { print(lines.joined(separator: "\n")) }
        }
    }
}

/// One-line descriptions of decoding errors, with the JSON path of the bad field.
enum DecodingErrorText {
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("$") { text, key in
                if let i = key.intValue { return "\(text)[\(i)]" }
                return "\(text).\(key.stringValue)"
            }
        }
        switch error {
        case let .keyNotFound(key, context): return "\(path(context.codingPath + [key])): missing"
        case let .typeMismatch(_, context): return "\(path(context.codingPath)): \(context.debugDescription)"
        case let .valueNotFound(_, context): return "\(path(context.codingPath)): missing value"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

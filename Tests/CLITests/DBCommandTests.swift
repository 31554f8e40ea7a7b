import Foundation
import Testing
import TestSupport

/// The mainnet genesis accounts, straight from the file (the independent source of the values).
private struct GenesisFile: Decodable {
    struct Entry: Decodable {
        let address: String
        let balance: String?
        let nonce: String?
        let bytecode: String?
        let storage: [String: String]?
    }
    let genesis: [Entry]
}

private func decimal(_ text: String?) throws -> String {
    guard let text, !text.isEmpty else { return "0" }
    guard text.hasPrefix("0x") else { return text }
    return try hexToDecimal(text)
}

@Suite("zkstate genesis --db, get, account, db check, db copy")
struct DBCommandTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    static let mainnetRoot = "0x3f86b09b43e3e49a41fc20a07579b79eba044253367817d5c241d23c0e2bc5c9"

    func storeGenesis(_ db: String) throws {
        let r = try CLIRunner.run(["genesis", Vectors.url("state-tree/mainnet-genesis.json").path, "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == Self.mainnetRoot + "\n")
    }

    @Test func accountsReadBackAsTheFileStatesThem() throws {
        let db = directory.appendingPathComponent("state.sqlite").path
        try storeGenesis(db)
        let file = try Vectors.load(GenesisFile.self, "state-tree/mainnet-genesis.json")
        for entry in file.genesis {
            let slots = (entry.storage ?? [:]).keys.sorted()
            let r = try CLIRunner.run(["account", "--db", db, "--root", Self.mainnetRoot, entry.address, "--json"]
                                      + slots.flatMap { ["--slot", $0] })
            #expect(r.status == 0, "\(r.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect(object["balance"] as? String == (try decimal(entry.balance)))
            #expect(object["nonce"] as? String == (try decimal(entry.nonce)))
            let code = (entry.bytecode ?? "").replacingOccurrences(of: "0x", with: "")
            #expect(object["codeLength"] as? Int == code.count / 2)
            let storage = try #require(object["storage"] as? [String: String])
            #expect(storage.count == slots.count)
            for (slot, value) in entry.storage ?? [:] {
                #expect(storage[slot.lowercased()] == (try decimal(value)), "\(entry.address) slot \(slot)")
            }
            // The balance key through `get`.
            let key = try CLIRunner.run(["key", "balance", entry.address]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let get = try CLIRunner.run(["get", "--db", db, "--root", Self.mainnetRoot, "--key", key])
            #expect(get.stdout == (try decimal(entry.balance)) + "\n")
        }
        // Plain output names each field.
        let first = file.genesis.first { $0.bytecode != nil }!
        let plain = try CLIRunner.run(["account", "--db", db, "--root", Self.mainnetRoot, first.address])
        #expect(plain.stdout.hasPrefix("balance: "))
        #expect(plain.stdout.contains("\ncodeHash: 0x") && plain.stdout.contains("\ncodeLength: \((first.bytecode!.count - 2) / 2)\n"))
    }

    @Test func checkFindsMissingAndCorruptNodes() throws {
        let db = directory.appendingPathComponent("check.sqlite").path
        try storeGenesis(db)
        let clean = try CLIRunner.run(["db", "check", "--db", db, "--root", Self.mainnetRoot])
        #expect(clean.status == 0)
        #expect(clean.stdout.contains(": 0 problems"))
        // Corrupt one node (a right child somewhere below the root) and delete another.
        let rows = try runTool("/usr/bin/sqlite3", [db, "SELECT hex(hash) FROM nodes WHERE length(data) = 96 AND substr(data, 65, 8) = zeroblob(8) AND hash <> x'\(String(repeating: "ff", count: 32))' ORDER BY hash LIMIT 2"])
            .split(separator: "\n").map(String.init)
        #expect(rows.count == 2)
        _ = try runTool("/usr/bin/sqlite3", [db, "UPDATE nodes SET data = zeroblob(96) WHERE hash = x'\(rows[0])'; DELETE FROM nodes WHERE hash = x'\(rows[1])';"])
        let broken = try CLIRunner.run(["db", "check", "--db", db, "--root", Self.mainnetRoot])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("corrupt 0x\(rows[0].lowercased())") || broken.stdout.contains("missing 0x\(rows[1].lowercased())"))
        #expect(broken.stderr.contains("problems"))
        for line in broken.stdout.split(separator: "\n") {
            #expect(line.contains(" at path ") || line.contains(" at the root"), "\(line)")
        }
    }

    @Test func copyBetweenStoresIsIdempotent() throws {
        let source = directory.appendingPathComponent("source.sqlite").path
        try storeGenesis(source)
        var destinations = [directory.appendingPathComponent("copy.sqlite").path]
        if let url = ProcessInfo.processInfo.environment["ZKSTATE_TEST_POSTGRES_URL"] {
            let name = "copy_\(UInt32.random(in: 0...UInt32.max))"
            _ = try runTool("/usr/bin/psql", [url, "-Atqc", "CREATE DATABASE \(name)"])
            destinations.append("\(url[..<url.lastIndex(of: "/")!])/\(name)")
        }
        for destination in destinations {
            let all = try CLIRunner.run(["db", "copy", "--from", source, "--to", destination])
            #expect(all.status == 0, "\(all.stderr)")
            #expect(all.stdout == "copied 129 nodes and 7 programs\n")
            let check = try CLIRunner.run(["db", "check", "--db", destination, "--root", Self.mainnetRoot])
            #expect(check.status == 0, "\(check.stdout)")
            let account = try CLIRunner.run(["account", "--db", destination, "--root", Self.mainnetRoot, "0xCB19eDdE626906eB1EE52357a27F62dd519608C2", "--json"])
            #expect(account.stdout.contains("\"codeLength\":2971"))
        }
        let rooted = directory.appendingPathComponent("rooted.sqlite").path
        let first = try CLIRunner.run(["db", "copy", "--from", source, "--to", rooted, "--root", Self.mainnetRoot])
        #expect(first.stdout == "copied 129 nodes and 7 programs, 0 subtrees already present\n")
        let again = try CLIRunner.run(["db", "copy", "--from", source, "--to", rooted, "--root", Self.mainnetRoot])
        #expect(again.stdout == "copied 0 nodes and 0 programs, 1 subtrees already present\n")
        #expect(try CLIRunner.run(["db", "check", "--db", rooted, "--root", Self.mainnetRoot]).status == 0)
    }

    @Test func smtApplyKeepsTheNodes() throws {
        let db = directory.appendingPathComponent("apply.sqlite").path
        let ops = directory.appendingPathComponent("ops.json")
        try #"[{"key": "1", "value": "5"}, {"key": "2", "value": "6"}, {"key": "1", "value": "0"}]"#.write(to: ops, atomically: true, encoding: .utf8)
        let memory = try CLIRunner.run(["smt", "apply", ops.path])
        let stored = try CLIRunner.run(["smt", "apply", ops.path, "--db", db])
        #expect(stored.status == 0 && stored.stdout == memory.stdout)
        let lastRoot = String(stored.stdout.split(separator: "\n")[1].split(separator: " ")[0])
        #expect(try CLIRunner.run(["get", "--db", db, "--root", lastRoot, "--key", "2"]).stdout == "6\n")
        #expect(try CLIRunner.run(["get", "--db", db, "--root", lastRoot, "--key", "1"]).stdout == "5\n")
    }

    @Test func badStoresAreOneLineErrors() throws {
        let r = try CLIRunner.run(["get", "--db", "mysql://x@y/z", "--root", Self.mainnetRoot, "--key", "1"])
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("zkstate: --db: ") && r.stderr.split(separator: "\n").count == 1)
        let down = try CLIRunner.run(["get", "--db", "postgresql://u:pw@127.0.0.1:1/db", "--root", Self.mainnetRoot, "--key", "1"])
        #expect(down.status == 1)
        #expect(down.stderr.contains("unreachable") && !down.stderr.contains("pw@"))
        let db = directory.appendingPathComponent("stored.sqlite").path
        try storeGenesis(db)
        let unknownRoot = "0x" + String(repeating: "0", count: 63) + "7"
        let missing = try CLIRunner.run(["get", "--db", db, "--root", unknownRoot, "--key", "1"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not found") && missing.stderr.contains(unknownRoot), "\(missing.stderr)")
    }
}

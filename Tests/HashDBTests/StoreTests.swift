import Foundation
import Goldilocks
import HashDB
import Poseidon
import SMT
import Testing

/// A random canonical digest.
func randomDigest<G: RandomNumberGenerator>(_ g: inout G) -> Digest {
    Digest(FieldElement(reducing: g.next()), FieldElement(reducing: g.next()),
           FieldElement(reducing: g.next()), FieldElement(reducing: g.next()))
}

/// A random branch node and its real hash.
func randomNode<G: RandomNumberGenerator>(_ g: inout G) -> (Digest, NodeData) {
    let node = Node.branch(left: randomDigest(&g), right: randomDigest(&g))
    return (node.hash, NodeData(node))
}

@Suite("Stores: every store behaves the same")
struct StoreTests {
    @Test(arguments: StoreKind.available)
    func roundTrip(kind: StoreKind) throws {
        let t = try TestStore(kind)
        defer { t.remove() }
        let store = try t.open()
        defer { store.close() }
        var g = SystemRandomNumberGenerator()
        let nodes = (0..<500).map { _ in randomNode(&g) }
        let legacy = (Digest(canonical: 7, 0, 0, 0), NodeData(low: SIMD4(1, 2, 3, 4), high: SIMD4(5, 6, 7, 8), count: 8))
        let program = [UInt8]((0..<100).map { UInt8($0) })
        let programHash = Poseidon.hashBytecode(program)
        let root = randomDigest(&g)
        #expect(try store.stateRoot() == .zero)
        #expect(try store.storedFlushId() == 0)
        try store.commit(StoreWrite(nodes: nodes + [legacy], programs: [(programHash, program), (.zero, [])],
                                    stateRoot: root, flushId: 3, metadata: ["k": "v"]))
        // Idempotent: writing again is not an error and changes nothing.
        try store.commit(StoreWrite(nodes: Array(nodes.prefix(10)), programs: [(programHash, program)], flushId: 4))
        for (h, n) in nodes { #expect(try store.readNode(h) == n) }
        #expect(try store.readNode(legacy.0) == legacy.1)
        #expect(try store.readNode(randomDigest(&g)) == nil)
        #expect(try store.readProgram(programHash) == program)
        #expect(try store.readProgram(.zero) == [])
        #expect(try store.readProgram(randomDigest(&g)) == nil)
        #expect(try store.stateRoot() == root)
        #expect(try store.storedFlushId() == 4)
        #expect(try store.metadata("k") == "v")
        let many = try store.readNodes(nodes.map(\.0) + [randomDigest(&g)])
        #expect(many.count == nodes.count)
        #expect(try store.counts().nodes == nodes.count + 1)
        #expect(try store.counts().programs == 2)

        // Scans list every node once, in key order, in pages, without the root row.
        var scanned: [Digest] = []
        var after: Digest?
        while true {
            let page = try store.scanNodes(after: after, limit: 77)
            guard let last = page.last else { break }
            scanned += page.map(\.0)
            after = last.0
        }
        #expect(scanned.count == nodes.count + 1)
        #expect(scanned == scanned.sorted(by: Digest.keyOrder))
        #expect(Set(scanned) == Set(nodes.map(\.0) + [legacy.0]))

        // Everything survives a reopen (memory has nothing to reopen).
        if kind != .memory {
            store.close()
            let again = try t.open()
            defer { again.close() }
            for (h, n) in nodes.prefix(50) { #expect(try again.readNode(h) == n) }
            #expect(try again.stateRoot() == root)
            #expect(try again.storedFlushId() == 4)
            #expect(try again.readProgram(programHash) == program)
        }
    }

    /// The spec's example root (h3 = 0x42bb2f66296df035 … h0 = 0x9399ede8fea8a822) and a leaf,
    /// written through the store and read back with the engine's own tool: keys are the 32-byte
    /// big-endian hash (limb 3 first), data twelve big-endian elements (element 0 first), the root
    /// row 32 × 0xFF with the root's limbs 0…3 as elements 0…3.
    @Test("The prover's byte forms, read back with the engine's own tool",
          arguments: [StoreKind.sqlite, .postgres].filter { StoreKind.available.contains($0) })
    func byteForms(kind: StoreKind) throws {
        let t = try TestStore(kind)
        defer { t.remove() }
        let store = try t.open()
        let hex = "42bb2f66296df03552203ae337815976ca9c1bf52cc1bdd59399ede8fea8a822"
        let h = try Digest(hexString: "0x" + hex)
        let leaf = NodeData(low: SIMD4(1, 2, 3, 4), high: SIMD4(5, 6, 7, 8), capacity: SIMD4(1, 0, 0, 0))
        try store.commit(StoreWrite(nodes: [(h, leaf)], stateRoot: h))
        store.close()
        let output: String
        if kind == .sqlite {
            output = try sqlite3(t.location, "SELECT lower(hex(hash)) || ' ' || lower(hex(data)) FROM nodes ORDER BY hash")
        } else {
            let schema = t.nodesTable.split(separator: ".")[0]
            let columns = try psql("SELECT string_agg(column_name || ' ' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '\(schema)' AND table_name = 'nodes'")
            #expect(columns == "hash bytea,data bytea\n")
            output = try psql("SELECT encode(hash, 'hex') || ' ' || encode(data, 'hex') FROM \(t.nodesTable) ORDER BY hash")
        }
        let expectedData = (1...8).map { String(format: "%016x", $0) }.joined() + String(format: "%016x", 1) + String(repeating: "0", count: 48)
        let expectedRoot = String(repeating: "f", count: 64) + " " + "9399ede8fea8a822ca9c1bf52cc1bdd552203ae33781597642bb2f66296df035" + String(repeating: "0", count: 128)
        #expect(output == "\(hex) \(expectedData)\n\(expectedRoot)\n")
    }

    @Test("A failed commit stores nothing; the same commit later succeeds", arguments: [StoreKind.sqlite, .postgres].filter { StoreKind.available.contains($0) })
    func failedCommitIsAtomic(kind: StoreKind) throws {
        let t = try TestStore(kind)
        defer { t.remove() }
        let store = try t.open()
        defer { store.close() }
        var g = SystemRandomNumberGenerator()
        let nodes = (0..<3000).map { _ in randomNode(&g) }
        let poison = nodes[2500].0
        let key = StoreEncoding.key(poison).map { String(format: "%02x", $0) }.joined()
        let before = randomDigest(&g)
        try store.commit(StoreWrite(stateRoot: before, flushId: 1))
        // A trigger makes the insert of one node fail half-way through the set.
        switch kind {
        case .sqlite:
            _ = try sqlite3(t.location, "CREATE TRIGGER poison BEFORE INSERT ON nodes WHEN NEW.hash = x'\(key)' BEGIN SELECT RAISE(ABORT, 'poisoned'); END;")
        default:
            _ = try psql("CREATE FUNCTION \(t.nodesTable)_poison() RETURNS trigger AS $$ BEGIN IF NEW.hash = '\\x\(key)'::bytea THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; CREATE TRIGGER poison BEFORE INSERT ON \(t.nodesTable) FOR EACH ROW EXECUTE FUNCTION \(t.nodesTable)_poison();")
        }
        let write = StoreWrite(nodes: nodes, stateRoot: randomDigest(&g), flushId: 2)
        #expect(throws: HashDBError.self) { try store.commit(write) }
        #expect(try store.counts().nodes == 0)
        #expect(try store.stateRoot() == before)
        #expect(try store.storedFlushId() == 1)
        switch kind {
        case .sqlite: _ = try sqlite3(t.location, "DROP TRIGGER poison;")
        default: _ = try psql("DROP TRIGGER poison ON \(t.nodesTable);")
        }
        try store.commit(write)
        #expect(try store.counts().nodes == nodes.count)
        #expect(try store.storedFlushId() == 2)
    }

    @Test("A table with other columns is refused", arguments: [StoreKind.sqlite])
    func schemaIsChecked(kind: StoreKind) throws {
        let t = try TestStore(kind)
        defer { t.remove() }
        try FileManager.default.createDirectory(atPath: (t.location as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = try sqlite3(t.location, "CREATE TABLE nodes (hash BLOB PRIMARY KEY, data BLOB NOT NULL, extra INTEGER) WITHOUT ROWID;")
        #expect {
            _ = try t.open()
        } throws: { error in
            guard case let .schemaMismatch(why) = error as? HashDBError else { return false }
            return why.contains("nodes")
        }
    }

    @Test("Locations parse, and never print a password")
    func locations() throws {
        #expect(try StoreLocation("memory") == .memory)
        #expect(try StoreLocation("local") == .memory)
        #expect(try StoreLocation("sqlite:/tmp/x.db") == .sqlite(path: "/tmp/x.db"))
        #expect(try StoreLocation("/tmp/y.sqlite") == .sqlite(path: "/tmp/y.sqlite"))
        let pg = try StoreLocation("postgresql://alice:s3cret@db.example:6543/state")
        #expect(pg.description == "postgresql://alice@db.example:6543/state")
        #expect(!pg.description.contains("s3cret"))
        #expect(throws: HashDBError.self) { try StoreLocation("mysql://x@y/z") }
        #expect(throws: HashDBError.self) { try StoreLocation("postgresql://host/db") }
        #expect(throws: HashDBError.self) { try StoreLocation("") }
    }

    @Test("An unreachable PostgreSQL is reported without its password")
    func unreachable() throws {
        do {
            _ = try StoreLocation("postgresql://bob:hunter2@127.0.0.1:1/none").open()
            Issue.record("opened a store on port 1")
        } catch {
            guard case .storeUnreachable = error else { Issue.record("unexpected \(error)"); return }
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("127.0.0.1:1"))
        }
    }
}

/// Runs the sqlite3 shell on a database.
func sqlite3(_ path: String, _ sql: String) throws -> String {
    try shell("/usr/bin/sqlite3", [path, sql])
}

/// Runs psql on the test database.
func psql(_ sql: String) throws -> String {
    try shell("/usr/bin/psql", [StoreKind.postgresURL ?? "", "-Atqc", sql])
}

func shell(_ tool: String, _ arguments: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw TestStoreUnavailable(reason: "\(tool) failed: \(String(decoding: errors, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}

import Foundation
import HashDB
import Testing

/// The stores every store-independent test runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, sqlite, postgres

    var testDescription: String { rawValue }

    /// The PostgreSQL URL exported by scripts/test.sh, if any.
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["ZKSTATE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether tests must not skip PostgreSQL (CI).
    static var postgresRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Memory and SQLite always; PostgreSQL when a server was started (always under CI=true, where
    /// a missing server fails ``TestStoreSetup/postgresIsAvailable()``).
    static var available: [StoreKind] {
        postgresURL != nil || postgresRequired ? allCases : [.memory, .sqlite]
    }
}

/// A fresh, empty store of one kind, and how to open it again (as after a restart).
struct TestStore {
    let kind: StoreKind
    /// The location text, as `--db` takes it (memory: not reopenable).
    let location: String
    let nodesTable: String
    let programTable: String
    let directory: URL?

    init(_ kind: StoreKind) throws {
        self.kind = kind
        let tag = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        switch kind {
        case .memory:
            location = "memory"; nodesTable = "state.nodes"; programTable = "state.program"; directory = nil
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-test-\(tag)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            directory = dir
            location = dir.appendingPathComponent("hashdb.sqlite").path
            nodesTable = "state.nodes"; programTable = "state.program"
        case .postgres:
            guard let url = StoreKind.postgresURL else {
                throw TestStoreUnavailable(reason: "ZKSTATE_TEST_POSTGRES_URL is not set (run the tests with scripts/test.sh)")
            }
            location = url
            // A schema per test keeps parallel tests apart.
            nodesTable = "t\(tag).nodes"; programTable = "t\(tag).program"; directory = nil
        }
    }

    /// Opens the store (again).
    func open() throws -> any PersistentStore {
        try StoreLocation(location).open(nodesTable: nodesTable, programTable: programTable)
    }

    /// A HashDB configuration for this store.
    var configuration: HashDBConfiguration {
        var c = HashDBConfiguration()
        c.nodesTable = nodesTable
        c.programTable = programTable
        c.nodeCacheMB = 64
        c.programCacheMB = 16
        return c
    }

    func remove() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

struct TestStoreUnavailable: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

@Suite("Test set-up")
struct TestStoreSetup {
    @Test("PostgreSQL is available when CI=true")
    func postgresIsAvailable() throws {
        if StoreKind.postgresRequired {
            #expect(StoreKind.postgresURL != nil, "CI=true: the PostgreSQL tests must run; scripts/test.sh starts the server")
            let store = try TestStore(.postgres).open()
            store.close()
        }
    }
}

import Foundation
import Goldilocks
import GRDB
import GRDBSQLite
import Synchronization

/// The embedded store: one SQLite file in WAL mode, no server.
///
/// Same logical layout as the prover's PostgreSQL tables (hashdb spec §2.3), so rows copy between
/// engines as they are:
/// ```
///  nodes(hash BLOB PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID   96-byte data, root row under 32 × 0xFF
///  program(hash BLOB PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID raw bytecode
///  zkstate_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)          ours: format, last stored flush id, copy progress
/// ```
/// Durability: `synchronous = FULL`, so a committed transaction is on disk when ``commit(_:)``
/// returns. Hot statements go to SQLite's C API directly (through GRDB's prepared statements),
/// binding blobs without copies.
public final class SQLiteStore: PersistentStore {
    /// The file.
    public let path: String
    private let pool: DatabasePool
    private let nodesTable: String
    private let programTable: String
    private let readers: [SQLiteReader]

    /// Opens (creating when `readOnly` is false) the store at `path`. Table names may carry a
    /// `schema.` prefix (the prover's defaults); SQLite has no schemas, so it is dropped.
    public init(path: String, nodesTable: String = "state.nodes", programTable: String = "state.program",
                readOnly: Bool = false) throws(HashDBError) {
        self.path = path
        self.nodesTable = SQLiteStore.tableName(nodesTable)
        self.programTable = SQLiteStore.tableName(programTable)
        var config = Configuration()
        config.readonly = readOnly
        config.journalMode = .wal
        config.maximumReaderCount = 8
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !readOnly, !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw .storeUnreachable(location: path, reason: SQLiteStore.reason(error))
        }
        if !readOnly { try SQLiteStore.createTables(pool, path: path, nodesTable: self.nodesTable, programTable: self.programTable) }
        try SQLiteStore.checkTables(pool, path: path, tables: [self.nodesTable, self.programTable])
        var readers: [SQLiteReader] = []
        for _ in 0..<4 {
            readers.append(try SQLiteReader(path: path, nodesTable: self.nodesTable, programTable: self.programTable))
        }
        self.readers = readers
    }

    /// Runs `body` on a reader connection, locked for this thread: the thread's usual one when it
    /// is free (its page cache stays warm for it), else the first free one, else it waits for
    /// its usual one.
    private func withReader<R>(_ body: (SQLiteReader) throws(HashDBError) -> R) throws(HashDBError) -> R {
        let mask = readers.count - 1
        let home = Int(UInt(bitPattern: pthread_self().hashValue) >> 4) & mask
        var chosen: SQLiteReader?
        for i in 0..<readers.count where readers[(home + i) & mask].lock.try() {
            chosen = readers[(home + i) & mask]
            break
        }
        let r = chosen ?? { readers[home].lock.lock(); return readers[home] }()
        defer { r.lock.unlock() }
        return try body(r)
    }

    public var location: String { "sqlite:\(path)" }

    static func tableName(_ configured: String) -> String {
        let name = configured.split(separator: ".").last.map(String.init) ?? configured
        return name.isEmpty ? configured : name
    }

    static func reason(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e)" }
        return "\(error)"
    }

    private func failure(_ error: any Error) -> HashDBError {
        if let e = error as? HashDBError { return e }
        return .storeFailed(location: location, reason: SQLiteStore.reason(error))
    }

    private static func createTables(_ pool: DatabasePool, path: String, nodesTable: String, programTable: String) throws(HashDBError) {
        do {
            try pool.write { db in
                for table in [nodesTable, programTable] {
                    try db.execute(sql: "CREATE TABLE IF NOT EXISTS \"\(table)\" (hash BLOB PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID")
                }
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS zkstate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                try db.execute(sql: "INSERT OR IGNORE INTO zkstate_meta (key, value) VALUES ('format', '1')")
                // The prover creates the root row with 96 zero bytes when it is missing (spec §1.3).
                try db.execute(sql: "INSERT OR IGNORE INTO \"\(nodesTable)\" (hash, data) VALUES (?, ?)",
                               arguments: [Data(StoreEncoding.rootRowKey), Data(count: 96)])
            }
        } catch {
            throw (error as? HashDBError) ?? .storeFailed(location: "sqlite:\(path)", reason: SQLiteStore.reason(error))
        }
    }

    private static func checkTables(_ pool: DatabasePool, path: String, tables: [String]) throws(HashDBError) {
        do {
            try pool.read { db in
                for table in tables {
                    let columns = try db.columns(in: table).map { $0.name.lowercased() }
                    guard columns == ["hash", "data"] else {
                        throw HashDBError.schemaMismatch("table \(table) of \(path) has columns \(columns), expected [hash, data]")
                    }
                }
            }
        } catch {
            throw (error as? HashDBError) ?? .storeFailed(location: "sqlite:\(path)", reason: SQLiteStore.reason(error))
        }
    }

    // MARK: Reads

    public func readNode(_ hash: Digest) throws(HashDBError) -> NodeData? {
        try withReader { (r) throws(HashDBError) in try r.node(hash, location: location) }
    }

    public func readNodes(_ hashes: [Digest]) throws(HashDBError) -> [Digest: NodeData] {
        try withReader { (r) throws(HashDBError) in
            var out: [Digest: NodeData] = [:]
            for h in hashes {
                if let n = try r.node(h, location: location) { out[h] = n }
            }
            return out
        }
    }

    public func readProgram(_ hash: Digest) throws(HashDBError) -> [UInt8]? {
        try withReader { (r) throws(HashDBError) in try r.program(hash, location: location) }
    }

    /// One-row SELECT through the C API: binds `key` without copying, copies the blob out.
    private static func selectData(_ db: Database, sql: String, key: [UInt8]) throws -> [UInt8]? {
        let statement = try db.cachedStatement(sql: sql).sqliteStatement
        defer { sqlite3_reset(statement) }
        return try key.withUnsafeBytes { k -> [UInt8]? in
            sqlite3_bind_blob(statement, 1, k.baseAddress, Int32(k.count), nil)
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return nil }
            guard rc == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement)))) }
            let n = Int(sqlite3_column_bytes(statement, 0))
            guard n > 0, let p = sqlite3_column_blob(statement, 0) else { return [] }
            return [UInt8](UnsafeRawBufferPointer(start: p, count: n))
        }
    }

    public func stateRoot() throws(HashDBError) -> Digest {
        let data: [UInt8]?
        do {
            data = try pool.unsafeRead { db in
                try SQLiteStore.selectData(db, sql: "SELECT data FROM \"\(nodesTable)\" WHERE hash = ?", key: StoreEncoding.rootRowKey)
            }
        } catch {
            throw failure(error)
        }
        guard let data else { return .zero }
        guard let root = StoreEncoding.root(rootRowData: data) else {
            throw .schemaMismatch("the latest-state-root row of \(path) is malformed (\(data.count) bytes)")
        }
        return root
    }

    public func storedFlushId() throws(HashDBError) -> UInt64 {
        guard let text = try metadata("last_flush_id") else { return 0 }
        guard let id = UInt64(text) else { throw .schemaMismatch("zkstate_meta.last_flush_id is not a number: \(text)") }
        return id
    }

    public func metadata(_ key: String) throws(HashDBError) -> String? {
        do {
            return try pool.unsafeRead { db in
                try String.fetchOne(db, sql: "SELECT value FROM zkstate_meta WHERE key = ?", arguments: [key])
            }
        } catch {
            throw failure(error)
        }
    }

    public func scanNodes(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, NodeData)] {
        try scan(table: nodesTable, after: after, limit: limit).map { (h, data) throws(HashDBError) in
            guard let node = StoreEncoding.node(data: data) else { throw .invalidNode(h, .wrongSize(data.count / 8)) }
            return (h, node)
        }
    }

    public func scanPrograms(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, [UInt8])] {
        try scan(table: programTable, after: after, limit: limit)
    }

    private func scan(table: String, after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, [UInt8])] {
        do {
            return try pool.unsafeRead { db in
                let start = Data(after.map(StoreEncoding.key) ?? [])
                let rows = try Row.fetchAll(db, sql: "SELECT hash, data FROM \"\(table)\" WHERE hash > ? AND hash <> ? ORDER BY hash LIMIT ?",
                                            arguments: [start, Data(StoreEncoding.rootRowKey), limit])
                return try rows.map { row in
                    let key: Data = row[0]
                    let data: Data = row[1]
                    guard let h = StoreEncoding.hash(key: [UInt8](key)) else {
                        throw HashDBError.schemaMismatch("table \(table) holds a key that is not a hash: \(key.count) bytes")
                    }
                    return (h, [UInt8](data))
                }
            }
        } catch {
            throw failure(error)
        }
    }

    public func counts() throws(HashDBError) -> (nodes: Int, programs: Int) {
        do {
            return try pool.unsafeRead { db in
                let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(nodesTable)\" WHERE hash <> ?", arguments: [Data(StoreEncoding.rootRowKey)]) ?? 0
                let p = try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(programTable)\"") ?? 0
                return (n, p)
            }
        } catch {
            throw failure(error)
        }
    }

    // MARK: Writes

    public func commit(_ write: StoreWrite) throws(HashDBError) {
        guard !write.isEmpty else { return }
        // Inserting in key order keeps the B-tree's working set small.
        let nodes = write.nodes.sorted { Digest.keyOrder($0.0, $1.0) }
        do {
            try pool.write { db in
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO \"\(nodesTable)\" (hash, data) VALUES (?, ?)").sqliteStatement
                var row = [UInt8](repeating: 0, count: 128)
                try row.withUnsafeMutableBytes { buf in
                    let key = UnsafeMutableRawBufferPointer(rebasing: buf[0..<32])
                    let data = UnsafeMutableRawBufferPointer(rebasing: buf[32..<128])
                    for (h, n) in nodes {
                        key.storeBytes(of: h.e3.value.bigEndian, toByteOffset: 0, as: UInt64.self)
                        key.storeBytes(of: h.e2.value.bigEndian, toByteOffset: 8, as: UInt64.self)
                        key.storeBytes(of: h.e1.value.bigEndian, toByteOffset: 16, as: UInt64.self)
                        key.storeBytes(of: h.e0.value.bigEndian, toByteOffset: 24, as: UInt64.self)
                        StoreEncoding.writeData(n, into: data)
                        sqlite3_bind_blob(insert, 1, key.baseAddress, 32, nil)
                        sqlite3_bind_blob(insert, 2, data.baseAddress, Int32(n.count * 8), nil)
                        let rc = sqlite3_step(insert)
                        sqlite3_reset(insert)
                        guard rc == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(insert)))) }
                    }
                }
                for (h, bytes) in write.programs {
                    try db.execute(sql: "INSERT OR IGNORE INTO \"\(programTable)\" (hash, data) VALUES (?, ?)",
                                   arguments: [Data(StoreEncoding.key(h)), Data(bytes)])
                }
                if let root = write.stateRoot {
                    try db.execute(sql: "INSERT INTO \"\(nodesTable)\" (hash, data) VALUES (?, ?) ON CONFLICT(hash) DO UPDATE SET data = excluded.data",
                                   arguments: [Data(StoreEncoding.rootRowKey), Data(StoreEncoding.rootRowData(root))])
                }
                var metadata = write.metadata
                if let id = write.flushId { metadata["last_flush_id"] = String(id) }
                for (k, v) in metadata {
                    try db.execute(sql: "INSERT INTO zkstate_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                   arguments: [k, v])
                }
            }
        } catch {
            throw failure(error)
        }
    }

    public func deleteAll() throws(HashDBError) {
        do {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM \"\(nodesTable)\"")
                try db.execute(sql: "DELETE FROM \"\(programTable)\"")
                try db.execute(sql: "INSERT INTO \"\(nodesTable)\" (hash, data) VALUES (?, ?)",
                               arguments: [Data(StoreEncoding.rootRowKey), Data(count: 96)])
            }
        } catch {
            throw failure(error)
        }
    }

    public func close() {
        for r in readers { r.close() }
        try? pool.close()
    }
}

/// A read-only SQLite connection with its two point-lookup statements prepared once: the hot read
/// path goes straight to SQLite's C API (GRDB's pool would add a queue hop and a transaction per
/// read). In WAL mode each lookup sees the latest committed transaction.
final class SQLiteReader: @unchecked Sendable {
    /// Held by the thread using the connection (see `SQLiteStore.withReader`).
    let lock = NSLock()
    private var connection: OpaquePointer?
    private var selectNode: OpaquePointer?
    private var selectProgram: OpaquePointer?

    init(path: String, nodesTable: String, programTable: String) throws(HashDBError) {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw .storeUnreachable(location: "sqlite:\(path)", reason: message)
        }
        sqlite3_busy_timeout(db, 10_000)
        // Interior B-tree pages stay in SQLite's cache.
        sqlite3_exec(db, "PRAGMA cache_size = -32768", nil, nil, nil)
        connection = db
        guard sqlite3_prepare_v2(db, "SELECT data FROM \"\(nodesTable)\" WHERE hash = ?", -1, &selectNode, nil) == SQLITE_OK,
              sqlite3_prepare_v2(db, "SELECT data FROM \"\(programTable)\" WHERE hash = ?", -1, &selectProgram, nil) == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(db))
            close()
            throw .storeFailed(location: "sqlite:\(path)", reason: message)
        }
    }

    /// Runs `statement` for `hash`; `body` sees the data column.
    private func lookup<R>(_ statement: OpaquePointer?, _ hash: Digest, location: String,
                           _ body: (UnsafeRawBufferPointer) -> R) throws(HashDBError) -> R? {
        var key = (hash.e3.value.bigEndian, hash.e2.value.bigEndian, hash.e1.value.bigEndian, hash.e0.value.bigEndian)
        guard let statement else { throw .storeFailed(location: location, reason: "the store is closed") }
        defer { sqlite3_reset(statement) }
        let rc = withUnsafeBytes(of: &key) { k -> Int32 in
            sqlite3_bind_blob(statement, 1, k.baseAddress, 32, nil)
            return sqlite3_step(statement)
        }
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else {
            throw .storeFailed(location: location, reason: String(cString: sqlite3_errmsg(connection)))
        }
        let n = Int(sqlite3_column_bytes(statement, 0))
        return body(UnsafeRawBufferPointer(start: sqlite3_column_blob(statement, 0), count: n))
    }

    func node(_ hash: Digest, location: String) throws(HashDBError) -> NodeData? {
        var size = 0
        let found: NodeData?? = try lookup(selectNode, hash, location: location) { bytes -> NodeData? in
            size = bytes.count
            return StoreEncoding.node(data: bytes)
        }
        guard let found else { return nil }
        guard let node = found else { throw .invalidNode(hash, .wrongSize(size / 8)) }
        return node
    }

    func program(_ hash: Digest, location: String) throws(HashDBError) -> [UInt8]? {
        try lookup(selectProgram, hash, location: location) { bytes in bytes.count == 0 ? [] : [UInt8](bytes) }
    }

    func close() {
        lock.lock(); defer { lock.unlock() }
        sqlite3_finalize(selectNode); selectNode = nil
        sqlite3_finalize(selectProgram); selectProgram = nil
        sqlite3_close(connection); connection = nil
    }
}

import Foundation
import Goldilocks
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The production store: the prover's own PostgreSQL tables (hashdb spec §2), read and written
/// through postgres-nio.
///
/// ```
///  <nodes table>   (hash bytea PRIMARY KEY, data bytea NOT NULL)   default state.nodes, root row under 32 × 0xFF
///  <program table> (hash bytea PRIMARY KEY, data bytea NOT NULL)   default state.program
///  <schema>.zkstate_meta (key text PRIMARY KEY, value text)        ours, never a column of the prover's tables
/// ```
/// A set is committed as one transaction of multi-row `INSERT … SELECT unnest($1::bytea[],
/// $2::bytea[]) ON CONFLICT (hash) DO NOTHING` statements (two array parameters each, never one
/// parameter per value). No SQL function is installed. Calls block the calling thread (never an
/// event-loop thread) on a small set of connections, one query at a time per connection.
public final class PostgresStore: PersistentStore {
    /// The URL without its password.
    public let location: String
    private let nodesTable: String
    private let programTable: String
    private let metaTable: String
    private let group: MultiThreadedEventLoopGroup
    private let readers: [Locked<PostgresConnection?>]
    private let writer: Mutex<PostgresConnection?>
    private let nextReader = Atomic<Int>(0)
    private let logger = Logger(label: "zkstate.postgres")
    /// Rows per INSERT statement.
    static let rowsPerStatement = 20_000

    /// Connects to `url` (`postgresql://user:password@host:port/database`), creates the tables when
    /// allowed and checks their columns.
    public init(url: PostgresURL, nodesTable: String = "state.nodes", programTable: String = "state.program",
                readOnly: Bool = false, readConnections: Int = 4) throws(HashDBError) {
        location = url.redacted
        self.nodesTable = try PostgresStore.checkedName(nodesTable, key: "dbNodesTableName")
        self.programTable = try PostgresStore.checkedName(programTable, key: "dbProgramTableName")
        let schema = self.nodesTable.contains(".") ? String(self.nodesTable.split(separator: ".")[0]) : nil
        metaTable = schema.map { "\($0).zkstate_meta" } ?? "zkstate_meta"
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var config = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.username,
                                                      password: url.password, database: url.database, tls: .disable)
        config.options.connectTimeout = .seconds(10)
        var connections: [PostgresConnection] = []
        do {
            for i in 0...max(1, readConnections) {
                connections.append(try PostgresConnection.connect(on: group.next(), configuration: config, id: i, logger: logger).wait())
            }
        } catch {
            for c in connections { _ = try? c.close().wait() }
            try? group.syncShutdownGracefully()
            throw .storeUnreachable(location: url.redacted, reason: PostgresStore.reason(error))
        }
        writer = Mutex(connections[0])
        readers = connections.dropFirst().map { Locked($0) }
        do {
            if readOnly {
                // A read-only store cannot write even by mistake: every transaction is read-only.
                for c in connections {
                    _ = try c.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", logger: logger).wait()
                }
            }
            if !readOnly { try createTables(schema: schema) }
            try checkTables()
        } catch {
            close()
            throw failure(error)
        }
    }

    static func checkedName(_ name: String, key: String) throws(HashDBError) -> String {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        let ok = (1...2).contains(parts.count) && parts.allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
        guard ok else { throw .invalidConfiguration(key: key, reason: "expected a table name like state.nodes (letters, digits, _), got \(name)") }
        return name
    }

    /// A short reason for a failure, without connection secrets.
    static func reason(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(e.serverInfo?[.sqlState] ?? "?"))"
            }
            if let underlying = e.underlying { return "\(e.code): \(underlying)" }
            return "\(e.code)"
        }
        return "\(error)"
    }

    private func failure(_ error: any Error) -> HashDBError {
        if let e = error as? HashDBError { return e }
        if let e = error as? PSQLError, e.code == .connectionError || e.code == .serverClosedConnection || e.code == .clientClosedConnection {
            return .storeUnreachable(location: location, reason: PostgresStore.reason(error))
        }
        return .storeFailed(location: location, reason: PostgresStore.reason(error))
    }

    private func withReader<R>(_ body: (PostgresConnection) throws -> R) throws(HashDBError) -> R {
        let i = nextReader.add(1, ordering: .relaxed).oldValue % readers.count
        do {
            return try readers[i].withLock { (c: inout PostgresConnection?) throws -> R in
                guard let c else { throw HashDBError.storeFailed(location: location, reason: "the store is closed") }
                return try body(c)
            }
        } catch {
            throw failure(error)
        }
    }

    private func withWriter<R>(_ body: (PostgresConnection) throws -> R) throws(HashDBError) -> R {
        do {
            return try writer.withLock { (c: inout PostgresConnection?) throws -> R in
                guard let c else { throw HashDBError.storeFailed(location: location, reason: "the store is closed") }
                return try body(c)
            }
        } catch {
            throw failure(error)
        }
    }

    private func run(_ c: PostgresConnection, _ query: PostgresQuery) throws -> PostgresQueryResult {
        try c.query(query, logger: logger).wait()
    }

    private func createTables(schema: String?) throws(HashDBError) {
        try withWriter { c in
            let statements: [String] = (schema.map { ["CREATE SCHEMA IF NOT EXISTS \($0)"] } ?? []) + [
                "CREATE TABLE IF NOT EXISTS \(nodesTable) (hash BYTEA PRIMARY KEY, data BYTEA NOT NULL)",
                "CREATE TABLE IF NOT EXISTS \(programTable) (hash BYTEA PRIMARY KEY, data BYTEA NOT NULL)",
                "CREATE TABLE IF NOT EXISTS \(metaTable) (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            ]
            for sql in statements {
                do {
                    _ = try run(c, PostgresQuery(unsafeSQL: sql))
                } catch let e as PSQLError where e.serverInfo?[.sqlState] == "42501" {
                    // Permission denied: fine when the tables already exist (checked next).
                    continue
                }
            }
            let root = ByteBuffer(bytes: StoreEncoding.rootRowKey), zero = ByteBuffer(bytes: [UInt8](repeating: 0, count: 96))
            _ = try run(c, "INSERT INTO \(unescaped: nodesTable) (hash, data) VALUES (\(root), \(zero)) ON CONFLICT (hash) DO NOTHING")
        }
    }

    private func checkTables() throws(HashDBError) {
        try withReader { c in
            for table in [nodesTable, programTable] {
                let parts = table.split(separator: ".").map(String.init)
                let name = parts.last!.lowercased()
                let rows: PostgresQueryResult
                if parts.count == 2 {
                    rows = try run(c, "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = \(parts[0].lowercased()) AND table_name = \(name) ORDER BY ordinal_position")
                } else {
                    rows = try run(c, "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(name) ORDER BY ordinal_position")
                }
                let columns = try rows.map { row in try row.decode((String, String).self) }
                guard columns.map(\.0) == ["hash", "data"], columns.allSatisfy({ $0.1 == "bytea" }) else {
                    throw HashDBError.schemaMismatch("table \(table) has columns \(columns.map { "\($0.0) \($0.1)" }), expected (hash bytea, data bytea)")
                }
            }
        }
    }

    // MARK: Reads

    public func readNode(_ hash: Digest) throws(HashDBError) -> NodeData? {
        let key = ByteBuffer(bytes: StoreEncoding.key(hash))
        let data = try withReader { c -> ByteBuffer? in
            try run(c, "SELECT data FROM \(unescaped: nodesTable) WHERE hash = \(key)").first.map { try $0.decode(ByteBuffer.self) }
        }
        guard let data else { return nil }
        return try PostgresStore.node(hash, data)
    }

    private static func node(_ hash: Digest, _ data: ByteBuffer) throws(HashDBError) -> NodeData {
        let node = data.withUnsafeReadableBytes { StoreEncoding.node(data: $0) }
        guard let node else { throw .invalidNode(hash, .wrongSize(data.readableBytes / 8)) }
        return node
    }

    public func readNodes(_ hashes: [Digest]) throws(HashDBError) -> [Digest: NodeData] {
        guard !hashes.isEmpty else { return [:] }
        let keys = hashes.map { ByteBuffer(bytes: StoreEncoding.key($0)) }
        let rows = try withReader { c in
            try run(c, "SELECT hash, data FROM \(unescaped: nodesTable) WHERE hash = ANY(\(keys))").map { try $0.decode((ByteBuffer, ByteBuffer).self) }
        }
        var out: [Digest: NodeData] = [:]
        for (k, data) in rows {
            guard let h = k.withUnsafeReadableBytes({ StoreEncoding.hash(key: $0) }) else { continue }
            out[h] = try PostgresStore.node(h, data)
        }
        return out
    }

    public func readProgram(_ hash: Digest) throws(HashDBError) -> [UInt8]? {
        let key = ByteBuffer(bytes: StoreEncoding.key(hash))
        return try withReader { c -> [UInt8]? in
            try run(c, "SELECT data FROM \(unescaped: programTable) WHERE hash = \(key)").first.map { row in
                var b = try row.decode(ByteBuffer.self)
                return b.readBytes(length: b.readableBytes) ?? []
            }
        }
    }

    public func stateRoot() throws(HashDBError) -> Digest {
        let key = ByteBuffer(bytes: StoreEncoding.rootRowKey)
        let data = try withReader { c -> [UInt8]? in
            try run(c, "SELECT data FROM \(unescaped: nodesTable) WHERE hash = \(key)").first.map { row in
                var b = try row.decode(ByteBuffer.self)
                return b.readBytes(length: b.readableBytes) ?? []
            }
        }
        guard let data else { return .zero }
        guard let root = StoreEncoding.root(rootRowData: data) else {
            throw .schemaMismatch("the latest-state-root row of \(nodesTable) is malformed (\(data.count) bytes)")
        }
        return root
    }

    public func storedFlushId() throws(HashDBError) -> UInt64 {
        guard let text = try metadata("last_flush_id") else { return 0 }
        guard let id = UInt64(text) else { throw .schemaMismatch("\(metaTable).last_flush_id is not a number: \(text)") }
        return id
    }

    public func metadata(_ key: String) throws(HashDBError) -> String? {
        try withReader { c in
            try run(c, "SELECT value FROM \(unescaped: metaTable) WHERE key = \(key)").first.map { try $0.decode(String.self) }
        }
    }

    public func scanNodes(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, NodeData)] {
        var out: [(Digest, NodeData)] = []
        for (h, data) in try scan(table: nodesTable, after: after, limit: limit) {
            let node = data.withUnsafeBytes { StoreEncoding.node(data: $0) }
            guard let node else { throw .invalidNode(h, .wrongSize(data.count / 8)) }
            out.append((h, node))
        }
        return out
    }

    public func scanPrograms(after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, [UInt8])] {
        try scan(table: programTable, after: after, limit: limit)
    }

    private func scan(table: String, after: Digest?, limit: Int) throws(HashDBError) -> [(Digest, [UInt8])] {
        let start = ByteBuffer(bytes: after.map(StoreEncoding.key) ?? [])
        let root = ByteBuffer(bytes: StoreEncoding.rootRowKey)
        return try withReader { c in
            try run(c, "SELECT hash, data FROM \(unescaped: table) WHERE hash > \(start) AND hash <> \(root) ORDER BY hash LIMIT \(limit)").map { row in
                var (k, d) = try row.decode((ByteBuffer, ByteBuffer).self)
                guard let h = k.withUnsafeReadableBytes({ StoreEncoding.hash(key: $0) }) else {
                    throw HashDBError.schemaMismatch("table \(table) holds a key that is not a hash (\(k.readableBytes) bytes)")
                }
                return (h, d.readBytes(length: d.readableBytes) ?? [])
            }
        }
    }

    public func counts() throws(HashDBError) -> (nodes: Int, programs: Int) {
        let root = ByteBuffer(bytes: StoreEncoding.rootRowKey)
        return try withReader { c in
            let n = try run(c, "SELECT count(*) FROM \(unescaped: nodesTable) WHERE hash <> \(root)").first!.decode(Int.self)
            let p = try run(c, "SELECT count(*) FROM \(unescaped: programTable)").first!.decode(Int.self)
            return (n, p)
        }
    }

    // MARK: Writes

    public func commit(_ write: StoreWrite) throws(HashDBError) {
        guard !write.isEmpty else { return }
        try withWriter { c in
            _ = try run(c, "BEGIN")
            do {
                var start = 0
                while start < write.nodes.count {
                    let chunk = write.nodes[start..<min(start + PostgresStore.rowsPerStatement, write.nodes.count)]
                    let keys = chunk.map { ByteBuffer(bytes: StoreEncoding.key($0.0)) }
                    let data = chunk.map { ByteBuffer(bytes: StoreEncoding.data($0.1)) }
                    _ = try run(c, "INSERT INTO \(unescaped: nodesTable) (hash, data) SELECT * FROM unnest(\(keys)::bytea[], \(data)::bytea[]) ON CONFLICT (hash) DO NOTHING")
                    start += chunk.count
                }
                if !write.programs.isEmpty {
                    let keys = write.programs.map { ByteBuffer(bytes: StoreEncoding.key($0.0)) }
                    let data = write.programs.map { ByteBuffer(bytes: $0.1) }
                    _ = try run(c, "INSERT INTO \(unescaped: programTable) (hash, data) SELECT * FROM unnest(\(keys)::bytea[], \(data)::bytea[]) ON CONFLICT (hash) DO NOTHING")
                }
                if let root = write.stateRoot {
                    let key = ByteBuffer(bytes: StoreEncoding.rootRowKey), data = ByteBuffer(bytes: StoreEncoding.rootRowData(root))
                    _ = try run(c, "INSERT INTO \(unescaped: nodesTable) (hash, data) VALUES (\(key), \(data)) ON CONFLICT (hash) DO UPDATE SET data = EXCLUDED.data")
                }
                var metadata = write.metadata
                if let id = write.flushId { metadata["last_flush_id"] = String(id) }
                for (k, v) in metadata {
                    _ = try run(c, "INSERT INTO \(unescaped: metaTable) (key, value) VALUES (\(k), \(v)) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
                }
                _ = try run(c, "COMMIT")
            } catch {
                _ = try? run(c, "ROLLBACK")
                throw error
            }
        }
    }

    public func deleteAll() throws(HashDBError) {
        try withWriter { c in
            _ = try run(c, "BEGIN")
            do {
                _ = try run(c, PostgresQuery(unsafeSQL: "DELETE FROM \(nodesTable)"))
                _ = try run(c, PostgresQuery(unsafeSQL: "DELETE FROM \(programTable)"))
                let root = ByteBuffer(bytes: StoreEncoding.rootRowKey), zero = ByteBuffer(bytes: [UInt8](repeating: 0, count: 96))
                _ = try run(c, "INSERT INTO \(unescaped: nodesTable) (hash, data) VALUES (\(root), \(zero))")
                _ = try run(c, "COMMIT")
            } catch {
                _ = try? run(c, "ROLLBACK")
                throw error
            }
        }
    }

    public func close() {
        var connections: [PostgresConnection] = []
        if let c = writer.withLock({ c -> PostgresConnection? in defer { c = nil }; return c }) { connections.append(c) }
        for m in readers {
            if let c = m.withLock({ c -> PostgresConnection? in defer { c = nil }; return c }) { connections.append(c) }
        }
        for c in connections { _ = try? c.close().wait() }
        try? group.syncShutdownGracefully()
    }
}

/// A PostgreSQL URL split into its parts: `postgresql://user:password@host:port/database`.
public struct PostgresURL: Sendable, Equatable {
    /// Server host name or address.
    public var host: String
    /// Server port (5432 by default).
    public var port: Int
    /// Role name.
    public var username: String
    /// Password, if any (never printed).
    public var password: String?
    /// Database name, if given.
    public var database: String?

    /// Parses `postgresql://` or `postgres://` URLs.
    public init(_ text: String) throws(HashDBError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "postgresql" || scheme == "postgres" else {
            throw .invalidConfiguration(key: "databaseURL", reason: "expected postgresql://user:password@host:port/database")
        }
        guard let host = url.host, !host.isEmpty else {
            throw .invalidConfiguration(key: "databaseURL", reason: "the PostgreSQL URL has no host")
        }
        guard let user = url.user, !user.isEmpty else {
            throw .invalidConfiguration(key: "databaseURL", reason: "the PostgreSQL URL has no user name")
        }
        self.host = host
        port = url.port ?? 5432
        username = user.removingPercentEncoding ?? user
        password = url.password.map { $0.removingPercentEncoding ?? $0 }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        database = path.isEmpty ? nil : path
    }

    /// The URL without the password, for logs and errors.
    public var redacted: String {
        "postgresql://\(username)@\(host):\(port)" + (database.map { "/\($0)" } ?? "")
    }
}

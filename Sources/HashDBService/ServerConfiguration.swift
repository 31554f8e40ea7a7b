import Foundation
import HashDB

/// The settings of `zkstate serve` (hashdb spec §10): built-in defaults, then a JSON file with the
/// prover's own key names, then the environment variables the prover reads, then flags.
public struct ServerConfiguration: Sendable {
    /// gRPC listen address (`listenAddress`; the prover listens on 0.0.0.0, we default to loopback).
    public var listenAddress = "127.0.0.1"
    /// gRPC port (`hashDBServerPort`).
    public var port = 50061
    /// Where the data lives (`databaseURL`); nil is the embedded SQLite store in ./zkstate-data/.
    public var databaseURL: String?
    /// The HashDB settings.
    public var hashDB = HashDBConfiguration()
    /// Largest request and response, in bytes (`grpcMaxMessageMB`).
    public var maxMessageBytes = 128 << 20
    /// Prometheus text endpoint port (`metricsPort`); nil is off.
    public var metricsPort: Int?
    /// Whether ResetDB may delete everything (`allowResetDB`).
    public var allowResetDB = false
    /// Keys and variables that were accepted but have no effect here, for the start-up log.
    public var ignored: [String] = []

    /// The defaults.
    public init() {
        hashDB.nodeCacheMB = 8192
        hashDB.programCacheMB = 1024
    }

    /// A setting: its JSON key, its environment variable, and how it applies.
    private struct Setting: Sendable {
        let keys: [String]
        let env: String?
        let apply: @Sendable (inout ServerConfiguration, Value) throws(HashDBError) -> Void
    }

    /// A raw value from JSON or the environment.
    enum Value {
        case json(Any), env(String)

        func int(_ name: String) throws(HashDBError) -> Int {
            switch self {
            case let .json(v):
                if let n = v as? NSNumber, n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 1e15 { return n.intValue }
                if let s = v as? String, let n = Int(s) { return n }
            case let .env(s):
                if let n = Int(s.trimmingCharacters(in: .whitespaces)) { return n }
            }
            throw .invalidConfiguration(key: name, reason: "expected an integer")
        }

        func bool(_ name: String) throws(HashDBError) -> Bool {
            switch self {
            case let .json(v):
                if let b = v as? Bool { return b }
                if let n = v as? NSNumber { return n.intValue != 0 }
                if let s = v as? String { return try Value.env(s).bool(name) }
            case let .env(s):
                switch s.lowercased() {
                case "true", "1", "yes", "on": return true
                case "false", "0", "no", "off": return false
                default: break
                }
            }
            throw .invalidConfiguration(key: name, reason: "expected true or false")
        }

        func string(_ name: String) throws(HashDBError) -> String {
            switch self {
            case let .json(v):
                if let s = v as? String { return s }
            case let .env(s): return s
            }
            throw .invalidConfiguration(key: name, reason: "expected a string")
        }
    }

    private static let settings: [Setting] = [
        Setting(keys: ["hashDBServerPort", "stateDBServerPort"], env: "HASHDB_SERVER_PORT") { c, v throws(HashDBError) in
            c.port = try v.int("hashDBServerPort")
            guard (1...65535).contains(c.port) else { throw .invalidConfiguration(key: "hashDBServerPort", reason: "must be 1…65535") }
        },
        Setting(keys: ["listenAddress"], env: "HASHDB_LISTEN_ADDRESS") { c, v throws(HashDBError) in c.listenAddress = try v.string("listenAddress") },
        Setting(keys: ["databaseURL"], env: "DATABASE_URL") { c, v throws(HashDBError) in c.databaseURL = try v.string("databaseURL") },
        Setting(keys: ["dbNodesTableName"], env: "DB_NODES_TABLE_NAME") { c, v throws(HashDBError) in c.hashDB.nodesTable = try v.string("dbNodesTableName") },
        Setting(keys: ["dbProgramTableName"], env: "DB_PROGRAM_TABLE_NAME") { c, v throws(HashDBError) in c.hashDB.programTable = try v.string("dbProgramTableName") },
        Setting(keys: ["dbMTCacheSize"], env: "DB_MT_CACHE_SIZE") { c, v throws(HashDBError) in c.hashDB.nodeCacheMB = max(0, try v.int("dbMTCacheSize")) },
        Setting(keys: ["dbProgramCacheSize"], env: "DB_PROGRAM_CACHE_SIZE") { c, v throws(HashDBError) in c.hashDB.programCacheMB = max(0, try v.int("dbProgramCacheSize")) },
        Setting(keys: ["stateManager"], env: "STATE_MANAGER") { c, v throws(HashDBError) in c.hashDB.stateManager = try v.bool("stateManager") },
        Setting(keys: ["stateManagerPurge"], env: "STATE_MANAGER_PURGE") { c, v throws(HashDBError) in c.hashDB.stateManagerPurge = try v.bool("stateManagerPurge") },
        Setting(keys: ["dbReadOnly"], env: "DB_READ_ONLY") { c, v throws(HashDBError) in c.hashDB.readOnly = try v.bool("dbReadOnly") },
        Setting(keys: ["flushMode"], env: "HASHDB_FLUSH_MODE") { c, v throws(HashDBError) in
            switch try v.string("flushMode").lowercased() {
            case "async": c.hashDB.synchronousFlush = false
            case "sync": c.hashDB.synchronousFlush = true
            default: throw .invalidConfiguration(key: "flushMode", reason: "expected async or sync")
            }
        },
        Setting(keys: ["pendingLimitMB"], env: "HASHDB_PENDING_LIMIT_MB") { c, v throws(HashDBError) in c.hashDB.pendingLimitBytes = max(1, try v.int("pendingLimitMB")) << 20 },
        Setting(keys: ["batchIdleTimeout"], env: "HASHDB_BATCH_IDLE_TIMEOUT") { c, v throws(HashDBError) in c.hashDB.batchIdleTimeout = .seconds(max(1, try v.int("batchIdleTimeout"))) },
        Setting(keys: ["grpcMaxMessageMB"], env: "HASHDB_GRPC_MAX_MESSAGE_MB") { c, v throws(HashDBError) in c.maxMessageBytes = max(1, try v.int("grpcMaxMessageMB")) << 20 },
        Setting(keys: ["allowResetDB"], env: "HASHDB_ALLOW_RESET_DB") { c, v throws(HashDBError) in c.allowResetDB = try v.bool("allowResetDB") },
        Setting(keys: ["loadDBValidate"], env: "HASHDB_LOAD_DB_VALIDATE") { c, v throws(HashDBError) in c.hashDB.validateLoads = try v.bool("loadDBValidate") },
        Setting(keys: ["dbReadLog"], env: "HASHDB_DB_READ_LOG") { c, v throws(HashDBError) in c.hashDB.readLog = try v.bool("dbReadLog") },
        Setting(keys: ["flushDataRetention"], env: "HASHDB_FLUSH_DATA_RETENTION") { c, v throws(HashDBError) in c.hashDB.retainedFlushSets = max(1, try v.int("flushDataRetention")) },
        Setting(keys: ["metricsPort"], env: "HASHDB_METRICS_PORT") { c, v throws(HashDBError) in
            let p = try v.int("metricsPort")
            c.metricsPort = p == 0 ? nil : p
        },
    ]

    /// Keys of the prover's configuration that are accepted and have no effect here.
    private static let accepted = ["runHashDBServer", "runStateDBServer", "hashDBURL", "stateDBURL", "dbMultiWrite",
                                   "dbMultiWriteSingleQuerySize", "dbConnectionsPool", "dbNumberOfPoolConnections", "dbMetrics",
                                   "dbClearCache", "dbGetTree", "dbReadRetryCounter", "dbReadRetryDelay", "maxHashDBThreads",
                                   "maxStateDBThreads", "useAssociativeCache", "log2DbMTAssociativeCacheSize",
                                   "log2DbMTAssociativeCacheIndexesSize", "loadDBToMemCache", "loadDBToMemCacheInParallel",
                                   "loadDBToMemTimeout", "dbCacheSynchURL", "logRemoteDbReads", "saveDbReadsToFile",
                                   "saveDbReadsToFileOnChange", "hashDB64", "kvDBMaxVersions", "hashDBFileName", "hashDBFileSize",
                                   "hashDBFolder", "dbAsyncWrite", "dbFlushInParallel"]

    /// Applies a JSON configuration file (an object of the prover's keys).
    public mutating func apply(jsonFile path: String) throws(HashDBError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidConfiguration(key: "--config", reason: "cannot read \(path)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .invalidConfiguration(key: "--config", reason: "\(path) is not a JSON object")
        }
        for (key, value) in object {
            if let setting = Self.settings.first(where: { $0.keys.contains(key) }) {
                try setting.apply(&self, .json(value))
            } else if Self.accepted.contains(key) {
                ignored.append(key)
            }
        }
    }

    /// Applies the environment variables the prover reads (garbage is an error, unlike the prover's atoi).
    public mutating func apply(environment: [String: String]) throws(HashDBError) {
        for setting in Self.settings {
            guard let env = setting.env, let value = environment[env] else { continue }
            do {
                try setting.apply(&self, .env(value))
            } catch let HashDBError.invalidConfiguration(_, reason) {
                throw .invalidConfiguration(key: env, reason: reason)
            }
        }
    }

    /// The store location: `databaseURL`, or ./zkstate-data/ (SQLite) when none is configured.
    public func location() throws(HashDBError) -> StoreLocation {
        try StoreLocation(databaseURL ?? "./zkstate-data/")
    }
}

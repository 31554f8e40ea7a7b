import Foundation

/// Where the HashDB keeps its data, as configured (`databaseURL`, `--db`): a choice made by
/// configuration, never by code.
///
/// | text | store |
/// | --- | --- |
/// | `memory`, `local` | ``MemoryStore`` (the prover's "local": no database) |
/// | `postgresql://user:pass@host:5432/db` (or `postgres://`) | ``PostgresStore`` |
/// | `sqlite:PATH`, `sqlite://PATH`, `file:PATH`, or a plain path | ``SQLiteStore``; a directory gets `hashdb.sqlite` inside it |
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// In memory only.
    case memory
    /// An SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresURL)

    /// Parses a configured location.
    public init(_ text: String) throws(HashDBError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { throw .invalidConfiguration(key: "databaseURL", reason: "empty; expected a path, sqlite:PATH, postgresql://… or memory") }
        let lower = t.lowercased()
        if lower == "memory" || lower == "local" || lower == "memory:" { self = .memory; return }
        if lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") { self = .postgres(try PostgresURL(t)); return }
        var path = t
        for prefix in ["sqlite://", "sqlite:", "file://", "file:"] where lower.hasPrefix(prefix) {
            path = String(t.dropFirst(prefix.count))
            break
        }
        if let scheme = path.range(of: "://"), !path[..<scheme.lowerBound].contains("/") {
            throw .invalidConfiguration(key: "databaseURL", reason: "unknown scheme \(path[..<scheme.lowerBound]); expected sqlite:, postgresql:// or memory")
        }
        guard !path.isEmpty else { throw .invalidConfiguration(key: "databaseURL", reason: "the SQLite path is empty") }
        var isDirectory: ObjCBool = false
        if path.hasSuffix("/") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
            path = (path as NSString).appendingPathComponent("hashdb.sqlite")
        }
        self = .sqlite(path: path)
    }

    /// Printable, never with a password.
    public var description: String {
        switch self {
        case .memory: return "memory"
        case let .sqlite(path): return "sqlite:\(path)"
        case let .postgres(url): return url.redacted
        }
    }

    /// Opens the store this location names.
    public func open(nodesTable: String = "state.nodes", programTable: String = "state.program",
                     readOnly: Bool = false) throws(HashDBError) -> any PersistentStore {
        switch self {
        case .memory: return MemoryStore()
        case let .sqlite(path):
            return try SQLiteStore(path: path, nodesTable: nodesTable, programTable: programTable, readOnly: readOnly)
        case let .postgres(url):
            return try PostgresStore(url: url, nodesTable: nodesTable, programTable: programTable, readOnly: readOnly)
        }
    }
}

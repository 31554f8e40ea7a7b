/// How a ``HashDB`` is set up. Names follow the prover's configuration keys (hashdb spec §10)
/// where they exist.
public struct HashDBConfiguration: Sendable {
    /// Where the data lives (`databaseURL`).
    public var location: StoreLocation = .memory
    /// Nodes table (`dbNodesTableName`).
    public var nodesTable = "state.nodes"
    /// Program table (`dbProgramTableName`).
    public var programTable = "state.program"
    /// Node cache size in MB (`dbMTCacheSize`); 0 disables it.
    public var nodeCacheMB = 8192
    /// Program cache size in MB (`dbProgramCacheSize`); 0 disables it.
    public var programCacheMB = 1024
    /// Whether Flush waits until its data is stored (`flushMode = sync`) instead of answering at once.
    public var synchronousFlush = false
    /// Whether batch ids route writes through the state manager (`stateManager`).
    public var stateManager = true
    /// Whether reverted work is dropped (`stateManagerPurge`).
    public var stateManagerPurge = true
    /// Never write to the store (`dbReadOnly`).
    public var readOnly = false
    /// Bytes pending before a Flush waits for the writer (`pendingLimitMB`).
    public var pendingLimitBytes = 1 << 30
    /// Stored sets kept for GetFlushData (`flushDataRetention`).
    public var retainedFlushSets = 16
    /// Batches idle longer than this are forgotten (`batchIdleTimeout`).
    public var batchIdleTimeout: Duration = .seconds(3600)
    /// Whether the db read log is filled (`dbReadLog`).
    public var readLog = true
    /// Whether LoadDB checks that each key is the hash of its value (`loadDBValidate`).
    public var validateLoads = true

    /// The defaults, in memory.
    public init() {}

    /// The defaults, at `location`.
    public init(location: StoreLocation) { self.location = location }
}

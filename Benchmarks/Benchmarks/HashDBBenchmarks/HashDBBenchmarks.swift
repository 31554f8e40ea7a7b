// HashDB throughput, each figure next to the store's own raw rate measured in the same run:
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target HashDBBenchmarks
//
// PostgreSQL figures need a server: `source ../scripts/postgres.sh start` exports
// ZKSTATE_TEST_POSTGRES_URL (a private server on loopback); without it they are skipped.
// ZKSTATE_BENCH_COLD_NODES sets the size of the cold-read store (default 10,000,000).

import Benchmark
import BenchmarkSupport
import Foundation
import Goldilocks
import GRDB
import GRDBSQLite
import HashDB
import Poseidon
import SMT

func peakResidentMB() -> Double { Double(peakResidentBytes()) / 1_048_576 }

/// `count` nodes with random canonical keys (a store never re-hashes what it is given).
func randomNodes(_ count: Int, seed: UInt64) -> [(Digest, NodeData)] {
    var g = SeededGenerator(state: seed)
    func digest() -> Digest {
        Digest(canonical: g.next() % FieldElement.order, g.next() % FieldElement.order,
               g.next() % FieldElement.order, g.next() % FieldElement.order)
    }
    return (0..<count).map { _ in (digest(), NodeData(.branch(left: digest(), right: digest()))) }
}

func scratchDirectory(_ name: String) -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-bench-\(name)-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Flushes `nodes` through a HashDB (enqueue + synchronous flush: one durable transaction).
func flushRate(_ store: any PersistentStore, _ nodes: [(Digest, NodeData)]) throws -> Double {
    let db = try HashDB(store: store)
    defer { db.close() }
    let t = try seconds {
        db.pipeline.enqueue(nodes: nodes)
        try db.flush(wait: true)
    }
    return Double(nodes.count) / t
}

// MARK: - Scenarios

func runSQLiteFlush(count: Int = 1_000_000) throws {
    let nodes = randomNodes(count, seed: 1)
    let dir = scratchDirectory("flush")
    defer { try? FileManager.default.removeItem(at: dir) }
    let ours = try flushRate(try SQLiteStore(path: dir.appendingPathComponent("ours.sqlite").path), nodes)
    // Raw: SQLite itself inserting the same number of random 32/96-byte rows in one transaction,
    // generated inside the engine (no binding, no encoding), same pragmas.
    let rawStore = try SQLiteStore(path: dir.appendingPathComponent("raw.sqlite").path)
    rawStore.close()
    var config = Configuration()
    config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL"); try db.execute(sql: "PRAGMA cache_size = -65536") }
    let queue = try DatabaseQueue(path: dir.appendingPathComponent("raw.sqlite").path, configuration: config)
    let raw = try seconds {
        try queue.write { db in
            try db.execute(sql: """
                WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < \(count))
                INSERT OR IGNORE INTO nodes (hash, data) SELECT randomblob(32), randomblob(96) FROM c
                """)
        }
    }
    let rawRate = Double(count) / raw
    report(String(format: "sqlite flush %d nodes: %.0f nodes/s; raw SQLite insert %.0f rows/s; ratio %.2f; peak RSS %.0f MB",
                  count, ours, rawRate, ours / rawRate, peakResidentMB()))
}

func runPostgresFlush(count: Int = 1_000_000) throws {
    guard let url = ProcessInfo.processInfo.environment["ZKSTATE_TEST_POSTGRES_URL"] else {
        report("postgres flush: skipped (no ZKSTATE_TEST_POSTGRES_URL; source scripts/postgres.sh start)")
        return
    }
    let nodes = randomNodes(count, seed: 2)
    let tag = "b\(getpid())"
    let store = try PostgresStore(url: PostgresURL(url), nodesTable: "\(tag).nodes", programTable: "\(tag).program")
    let ours = try flushRate(store, nodes)
    // Raw: the server inserting the same number of random rows, generated server-side.
    let raw = try seconds {
        _ = try psql(url, """
            CREATE TABLE \(tag).raw (hash BYTEA PRIMARY KEY, data BYTEA NOT NULL);
            INSERT INTO \(tag).raw SELECT decode(md5(i::text) || md5((i + 1)::text), 'hex'),
                decode(repeat(md5(i::text), 6), 'hex') FROM generate_series(1, \(count)) i ON CONFLICT DO NOTHING;
            """)
    }
    _ = try psql(url, "DROP SCHEMA \(tag) CASCADE")
    let rawRate = Double(count) / raw
    report(String(format: "postgres flush %d nodes: %.0f nodes/s; raw server-side insert %.0f rows/s; ratio %.2f; peak RSS %.0f MB",
                  count, ours, rawRate, ours / rawRate, peakResidentMB()))
}

func psql(_ url: String, _ sql: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
    p.arguments = [url, "-Atqc", sql]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

func runCacheHits(count: Int = 1_000_000, reads: Int = 5_000_000) throws {
    let nodes = randomNodes(count, seed: 3)
    let store = MemoryStore()
    try store.commit(StoreWrite(nodes: nodes))
    let db = try HashDB(store: store)
    defer { db.close() }
    for (h, _) in nodes { _ = try db.node(h) }   // warm: every node cached
    var g = SeededGenerator(state: 4)
    let order = (0..<reads).map { _ in Int(g.next() % UInt64(count)) }
    var sink: UInt64 = 0
    let hitsBefore = db.nodeCache.hits
    let ours = try seconds { for i in order { sink &+= try db.node(nodes[i].0)!.low[0] } }
    let hits = db.nodeCache.hits - hitsBefore
    // Raw: a plain Swift dictionary of the same nodes, no lock, no layers.
    var dict: [Digest: NodeData] = [:]
    for (h, n) in nodes { dict[h] = n }
    let raw = seconds { for i in order { sink &+= dict[nodes[i].0]!.low[0] } }
    blackHole(sink)
    report(String(format: "cache hits: %.0f reads/s (%d of %d were hits); raw Dictionary %.0f reads/s; ratio %.2f; cache %.0f MB for %d nodes; peak RSS %.0f MB",
                  Double(reads) / ours, hits, reads, Double(reads) / raw, raw / ours,
                  Double(db.nodeCache.bytes) / 1048576, db.nodeCache.count, peakResidentMB()))
}

func runColdSQLiteReads(reads: Int = 300_000) throws {
    let count = Int(ProcessInfo.processInfo.environment["ZKSTATE_BENCH_COLD_NODES"] ?? "") ?? 10_000_000
    let dir = scratchDirectory("cold")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("cold.sqlite").path
    var sample: [Digest] = []
    var parallelSample: [Digest] = []
    var g = SeededGenerator(state: 5)
    var written = 0
    let build = try seconds {
        let store = try SQLiteStore(path: path)
        defer { store.close() }
        let db = try HashDB(store: store)
        defer { db.close() }
        while written < count {
            let part = randomNodes(min(1_000_000, count - written), seed: 100 + UInt64(written))
            for _ in 0..<(reads * part.count / count + 1) { sample.append(part[Int(g.next() % UInt64(part.count))].0) }
            for _ in 0..<(reads / 3 * part.count / count + 1) { parallelSample.append(part[Int(g.next() % UInt64(part.count))].0) }
            db.pipeline.enqueue(nodes: part)
            try db.flush(wait: true)
            written += part.count
        }
    }
    sample.shuffle(using: &g)
    let fileMB = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1048576
    // Three readers over disjoint keys, interleaved in rounds of 2,000 reads so that none
    // benefits from running later: a fresh HashDB (empty cache, every read misses and goes to
    // SQLite), the store alone (no HashDB layers), and raw SQLite through its C API (a prepared
    // statement with the same cache pragma).
    let store = try SQLiteStore(path: path)
    let db = try HashDB(store: store)
    var rawConfig = Configuration()
    rawConfig.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -32768") }
    let queue = try DatabaseQueue(path: path, configuration: rawConfig)
    var sink: UInt64 = 0
    var ours = 0.0, storeOnly = 0.0, raw = 0.0
    let round = 2_000
    let rounds = sample.count / (3 * round)
    for r in 0..<rounds {
        let base = r * 3 * round
        ours += try seconds { for h in sample[base..<(base + round)] { sink &+= try db.node(h)!.low[0] } }
        storeOnly += try seconds { for h in sample[(base + round)..<(base + 2 * round)] { sink &+= try store.readNode(h)!.low[0] } }
        raw += try seconds {
            try queue.read { database in
                let prepared = try database.cachedStatement(sql: "SELECT data FROM nodes WHERE hash = ?")
                let statement = prepared.sqliteStatement
                for h in sample[(base + 2 * round)..<(base + 3 * round)] {
                    let key = StoreEncoding.key(h)
                    key.withUnsafeBytes { k in
                        sqlite3_bind_blob(statement, 1, k.baseAddress, 32, nil)
                        if sqlite3_step(statement) == SQLITE_ROW { sink &+= UInt64(sqlite3_column_bytes(statement, 0)) }
                        sqlite3_reset(statement)
                    }
                }
            }
        }
    }
    db.close()
    let measured = rounds * round
    // Two threads (this machine's two cores) reading through another fresh HashDB, as a server's
    // request handlers do, on keys neither pass above read.
    let parallelDB = try HashDB(store: try SQLiteStore(path: path))
    parallelSample.shuffle(using: &g)
    let fresh = parallelSample
    let parallel = seconds {
        DispatchQueue.concurrentPerform(iterations: 2) { t in
            var local: UInt64 = 0
            for i in stride(from: t, to: fresh.count, by: 2) { local &+= (try? parallelDB.node(fresh[i]))??.low[0] ?? 0 }
            blackHole(local)
        }
    }
    let parallelHits = parallelDB.nodeCache.hits
    parallelDB.close()
    blackHole(sink)
    let oursRate = Double(measured) / ours, storeRate = Double(measured) / storeOnly
    let rawRate = Double(measured) / raw
    report(String(format: "cold sqlite reads (%d nodes, %.0f MB file, built at %.0f nodes/s): %.0f reads/s through the HashDB, %.0f reads/s from the store alone; raw SQLite %.0f reads/s; ratio %.2f; 2 threads through the HashDB %.0f reads/s (%d cache hits of %d); peak RSS %.0f MB",
                  count, fileMB, Double(count) / build, oursRate, storeRate, rawRate, oursRate / rawRate,
                  Double(fresh.count) / parallel, parallelHits, fresh.count, peakResidentMB()))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(900), maxIterations: 1)
    Benchmark("HashDB SQLite flush 1M nodes") { _ in } setup: { try! runSQLiteFlush() }
    Benchmark("HashDB PostgreSQL flush 1M nodes") { _ in } setup: { try! runPostgresFlush() }
    Benchmark("HashDB cache hits") { _ in } setup: { try! runCacheHits() }
    Benchmark("HashDB cold SQLite reads") { _ in } setup: { try! runColdSQLiteReads() }
}

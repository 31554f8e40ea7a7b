// Load test of the gRPC service on loopback: 16 concurrent clients (one HTTP/2 connection each)
// against one server in this process, on a 10,000-key state in SQLite.
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target HashDBServiceBenchmarks
//
// Phases: GetLatestStateRoot, the gRPC stack's floor (10 s); Gets of cached keys (15 s), Sets with details=false (15 s), then 60 s of a mix (80 %
// Get, 20 % Set). Each prints throughput, p50/p99 latency and errors (which must be zero).
// Then the server alone against h2load (a C client in another process, when installed): the
// throughput and the server's CPU time per request, without a Swift client sharing the cores.
// ZKSTATE_BENCH_LOAD_SECONDS shortens the mixed phase.

import Benchmark
import BenchmarkSupport
import Foundation
import Goldilocks
import GRPCCore
import GRPCNIOTransportHTTP2
import HashDB
import HashDBService
import Poseidon
import SMT
import Synchronization
import SwiftProtobuf

func fea(_ d: Digest) -> Hashdb_V1_Fea {
    .with { $0.fe0 = d.e0.value; $0.fe1 = d.e1.value; $0.fe2 = d.e2.value; $0.fe3 = d.e3.value }
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Latencies (ns) and errors of one client.
struct ClientStats: Sendable {
    var latencies: [UInt64] = []
    var errors = 0
}

/// What the clients send. `latestRoot` (GetLatestStateRoot: no request fields, no tree work) is
/// the floor the gRPC stack sets for any unary RPC.
enum Mix: Sendable { case gets, sets, mixed, latestRoot }

/// Runs `clients` concurrent clients for `seconds` doing `mix` and prints the figures.
func runPhase(_ name: String, port: Int, clients: Int, seconds: Double, mix: Mix, root: Digest, keys: [Digest]) async throws -> (rate: Double, count: Int) {
    let deadline = now() + UInt64(seconds * 1e9)
    let cpuBefore = cpuSeconds()
    let start = now()
    let all = try await withThrowingTaskGroup(of: ClientStats.self) { group in
        for c in 0..<clients {
            group.addTask {
                let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
                return try await withGRPCClient(transport: transport) { grpc in
                    let client = Hashdb_V1_HashDBService.Client(wrapping: grpc)
                    var stats = ClientStats()
                    var g = SeededGenerator(state: UInt64(c + 1) * 7919)
                    var myRoot = root
                    while now() < deadline {
                        let key = keys[Int(g.next() % UInt64(keys.count))]
                        let doSet = mix == .sets || (mix == .mixed && g.next() % 5 == 0)
                        let t0 = now()
                        do {
                            if mix == .latestRoot {
                                let r = try await client.getLatestStateRoot(SwiftProtobuf.Google_Protobuf_Empty())
                                if r.result.code != .success { stats.errors += 1 }
                            } else if doSet {
                                let r = try await client.set(.with {
                                    $0.oldRoot = fea(myRoot); $0.key = fea(key); $0.value = String(g.next(), radix: 16)
                                    $0.persistence = .cacheUnspecified
                                })
                                if r.result.code == .success { myRoot = Digest(canonical: r.newRoot.fe0, r.newRoot.fe1, r.newRoot.fe2, r.newRoot.fe3) } else { stats.errors += 1 }
                            } else {
                                let r = try await client.get(.with { $0.root = fea(root); $0.key = fea(key) })
                                if r.result.code != .success { stats.errors += 1 }
                            }
                        } catch {
                            stats.errors += 1
                        }
                        stats.latencies.append(now() - t0)
                    }
                    return stats
                }
            }
        }
        var merged = ClientStats()
        for try await s in group { merged.latencies += s.latencies; merged.errors += s.errors }
        return merged
    }
    let elapsed = Double(now() - start) / 1e9
    let cpu = cpuSeconds() - cpuBefore
    let sorted = all.latencies.sorted()
    func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6 }
    let rate = Double(sorted.count) / elapsed
    report(String(format: "%@: %d clients, %.0f s: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, errors %d, %.2f cores busy",
                  name, clients, elapsed, rate, pct(0.5), pct(0.99), all.errors, cpu / elapsed))
    return (rate, sorted.count)
}

/// The server alone: `h2load` (nghttp2's C HTTP/2 load generator, when installed) sends the same
/// gRPC request over 16 connections, one stream in flight each. The process's CPU time over the
/// run is the server's, since the client is another process.
func runH2Load(_ name: String, port: Int, method: String, message: some SwiftProtobuf.Message, requests: Int) async throws {
    guard let h2load = ["/usr/bin/h2load", "/usr/local/bin/h2load"].first(where: FileManager.default.isExecutableFile) else {
        report("\(name) with h2load: skipped (h2load not installed; apt-get install nghttp2-client)")
        return
    }
    let body = try message.serializedBytes() as [UInt8]
    let framed = [0] + withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init) + body  // gRPC length prefix
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-h2load-\(getpid()).bin")
    try Data(framed).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    // On a thread of its own: the cooperative pool has two threads here, and `setup` blocks one.
    func run(_ n: Int) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try runBlocking(n) }) }
        }
    }
    @Sendable func runBlocking(_ n: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: h2load)
        process.arguments = ["-n", "\(n)", "-c", "16", "-m", "1", "-d", file.path,
                             "-H", "content-type: application/grpc", "-H", "te: trailers",
                             "http://127.0.0.1:\(port)/hashdb.v1.HashDBService/\(method)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output
    }
    _ = try await run(requests / 10)
    let cpu0 = cpuSeconds(), t0 = now()
    let output = try await run(requests)
    let cpu = cpuSeconds() - cpu0, wall = Double(now() - t0) / 1e9
    let succeeded = output.split(separator: "\n").first { $0.hasPrefix("requests:") } ?? "requests: ?"
    report(String(format: "%@ with h2load (16 connections, 1 stream each): %.0f requests/s, server %.0f us CPU per request (%.2f cores busy); %@",
                  name, Double(requests) / wall, cpu / Double(requests) * 1e6, cpu / wall, String(succeeded)))
}

func runLoad() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-bench-load-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var g = SeededGenerator(state: 42)
    let keys = (0..<10_000).map { _ in
        Digest(canonical: g.next() % FieldElement.order, g.next() % FieldElement.order, g.next() % FieldElement.order, g.next() % FieldElement.order)
    }
    let writes = keys.map { ($0, UInt256(g.next() | 1)) }
    var config = HashDBConfiguration(location: .sqlite(path: dir.appendingPathComponent("load.sqlite").path))
    config.nodeCacheMB = 1024
    let db = try HashDB(configuration: config)
    let root = try SparseMerkleTree(store: db.treeStore(persistence: .database)).setMany(root: .zero, writes)
    db.recordStateRoot(root)
    try db.flush(wait: true)
    // Hashes per Set at this size.
    let counting = CountingStore()
    let countingRoot = try SparseMerkleTree(store: counting).setMany(root: .zero, writes)
    let before = counting.written
    var r = countingRoot
    for k in keys.prefix(2000) { r = try SparseMerkleTree(store: counting).set(root: r, key: k, value: UInt256(g.next())).newRoot }
    let hashesPerSet = Double(counting.written - before) / 2000
    let nsPerHash = nanosecondsPerHash()

    let service = HashDBGRPCService(db: db, readLog: false)
    let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
    let server = GRPCServer(transport: transport, services: [service])
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        guard let port = try await server.listeningAddress?.ipv4?.port else { fatalError("no port") }
        let mixedSeconds = Double(ProcessInfo.processInfo.environment["ZKSTATE_BENCH_LOAD_SECONDS"] ?? "") ?? 60
        // Warm the cache: every node under the root.
        for k in keys { _ = try db.get(root: root, key: k) }
        _ = try await runPhase("get latest state root (the gRPC floor: no tree work)", port: port, clients: 16, seconds: 10, mix: .latestRoot, root: root, keys: keys)
        _ = try await runPhase("get (cached keys)", port: port, clients: 16, seconds: 15, mix: .gets, root: root, keys: keys)
        let cpu0 = cpuSeconds(), t0 = now()
        let sets = try await runPhase("set (details=false)", port: port, clients: 16, seconds: 15, mix: .sets, root: root, keys: keys)
        let cpu = cpuSeconds() - cpu0, wall = Double(now() - t0) / 1e9
        let hashing = Double(sets.count) * hashesPerSet * nsPerHash / 1e9
        report(String(format: "set hashing share: %.1f hashes/set x %.0f ns = %.1f us/set; %.0f%% of the process's CPU time (%.1f s of %.1f s over %.0f s)",
                      hashesPerSet, nsPerHash, hashesPerSet * nsPerHash / 1e3, 100 * hashing / cpu, hashing, cpu, wall))
        _ = try await runPhase("mixed 80% get / 20% set", port: port, clients: 16, seconds: mixedSeconds, mix: .mixed, root: root, keys: keys)
        try await runH2Load("get latest state root (no tree work)", port: port, method: "GetLatestStateRoot", message: SwiftProtobuf.Google_Protobuf_Empty(), requests: 100_000)
        try await runH2Load("get (cached key)", port: port, method: "Get", message: Hashdb_V1_GetRequest.with { $0.root = fea(root); $0.key = fea(keys[0]) }, requests: 100_000)
        try await runH2Load("set (details=false, same value)", port: port, method: "Set", message: Hashdb_V1_SetRequest.with {
            $0.oldRoot = fea(root); $0.key = fea(keys[0]); $0.value = "1234abcd"; $0.persistence = .cacheUnspecified
        }, requests: 100_000)
        server.beginGracefulShutdown()
    }
    db.close()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(900), maxIterations: 1)
    Benchmark("HashDB service load, 16 clients") { _ in } setup: {
        // As `zkstate serve` does (ZKSTATE_BENCH_COOPERATIVE_POOL=1 measures without it).
        if ProcessInfo.processInfo.environment["ZKSTATE_BENCH_COOPERATIVE_POOL"] != "1" {
            report("tasks on the NIO event loops: \(HashDBServer.runTasksOnEventLoops())")
        }
        let done = DispatchSemaphore(value: 0)
        Task { do { try await runLoad() } catch { print("load test failed: \(error)") }; done.signal() }
        done.wait()
    }
}

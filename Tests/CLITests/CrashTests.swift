import Foundation
import Goldilocks
import HashDB
import SMT
import Testing
import TestSupport

/// Kills a process that flushes in a loop at random moments and checks the store after each kill:
/// every root whose flush had returned is complete, and the root row names a complete root.
@Suite("Crash: SIGKILL during flushes", .serialized)
struct CrashTests {
    static var kinds: [String] {
        var kinds = ["sqlite"]
        if ProcessInfo.processInfo.environment["ZKSTATE_TEST_POSTGRES_URL"] != nil || ProcessInfo.processInfo.environment["CI"] == "true" {
            kinds.append("postgres")
        }
        return kinds
    }

    /// A store location of `kind` for one test (a database of its own on PostgreSQL).
    static func location(_ kind: String) throws -> (String, () -> Void) {
        let tag = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        if kind == "sqlite" {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-crash-\(tag)")
            return (dir.appendingPathComponent("hashdb.sqlite").path, { try? FileManager.default.removeItem(at: dir) })
        }
        let url = try #require(ProcessInfo.processInfo.environment["ZKSTATE_TEST_POSTGRES_URL"], "CI=true: PostgreSQL must be running")
        let name = "crash_\(tag)"
        _ = try runTool("/usr/bin/psql", [url, "-Atqc", "CREATE DATABASE \(name)"])
        let base = url[..<url.lastIndex(of: "/")!]
        return ("\(base)/\(name)", { _ = try? runTool("/usr/bin/psql", [url, "-Atqc", "DROP DATABASE \(name) WITH (FORCE)"]) })
    }

    @Test(arguments: kinds)
    func killedWhileFlushing(kind: String) throws {
        let (location, cleanup) = try Self.location(kind)
        defer { cleanup() }
        let workload = SeededWorkload(seed: 42, writesPerStep: 50)
        var rng = SplitMix64(seed: 2024)
        // The model: the state after each step the store is known to hold.
        var model: [Digest: UInt256] = [:]
        var step = 0
        var modelRoot = Digest.zero
        let memory = SparseMerkleTree()
        func apply(_ s: Int, to state: inout [Digest: UInt256], root: Digest) throws -> Digest {
            let writes = workload.writes(step: s)
            for (k, v) in writes { state[k] = v.isZero ? nil : v }
            return try memory.setMany(root: root, writes)
        }
        var kills = 0, flushesSeen = 0
        for _ in 0..<20 {
            let process = Process()
            process.executableURL = CLIRunner.executable
            process.arguments = ["db", "stress", "--db", location, "--seed", "42", "--writes", "50",
                                 "--first-step", String(step), "--steps", "100000"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 0.3 + Double(rng.next() % 1000) / 1000)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            kills += 1
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            // Complete lines only: "STEP ROOT".
            var printed: [(Int, Digest)] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let parts = line.split(separator: " ")
                printed.append((Int(parts[0])!, try Digest(hexString: String(parts[1]))))
            }
            flushesSeen += printed.count
            // Replay the printed steps on the model; each printed root must be the model's.
            for (s, root) in printed {
                #expect(s == step)
                modelRoot = try apply(s, to: &model, root: modelRoot)
                #expect(modelRoot == root, "step \(s)")
                step += 1
            }
            // The store: its root row is the last printed root or the next one (stored, not yet printed).
            let store = try StoreLocation(location).open()
            defer { store.close() }
            let rowRoot = try store.stateRoot()
            if rowRoot != modelRoot {
                var next = model
                let nextRoot = try apply(step, to: &next, root: modelRoot)
                #expect(rowRoot == nextRoot, "root row names neither the last stored root nor the next")
                if rowRoot == nextRoot { model = next; modelRoot = nextRoot; step += 1 }
            }
            // Every root whose flush returned is complete (each node present, hashing to its key).
            for root in printed.map(\.1) + [rowRoot] {
                let report = try TreeCheck().run(root: root) { hashes throws(HashDBError) in try store.readNodes(hashes) }
                #expect(report.isClean, "\(kind): root \(root.hexString): \(report.problems.prefix(3))")
            }
            // And every key reads back under the latest one.
            let db = try HashDB(store: store)
            for (k, v) in model { #expect(try db.get(root: modelRoot, key: k).result.value == v) }
        }
        #expect(kills == 20)
        #expect(flushesSeen >= 20, "the driver stored too few flushes to test anything")
    }
}

/// Runs a tool and returns its standard output.
func runTool(_ tool: String, _ arguments: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

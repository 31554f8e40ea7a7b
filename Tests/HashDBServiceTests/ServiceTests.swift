import Foundation
import Goldilocks
import GRPCCore
import GRPCInProcessTransport
import HashDB
import HashDBService
import Poseidon
import SMT
import SwiftProtobuf
import Testing
import TestSupport

typealias Client = Hashdb_V1_HashDBService.Client<InProcessTransport.Client>

/// Runs `body` against a service over `db`, through the real gRPC stack (in-process transport).
func withService<R: Sendable>(_ db: HashDB, readLog: Bool = true, allowReset: Bool = false,
                              _ body: (Client) async throws -> R) async throws -> R {
    let transport = InProcessTransport()
    let service = HashDBGRPCService(db: db, readLog: readLog, allowReset: allowReset)
    return try await withGRPCServer(transport: transport.server, services: [service]) { _ in
        try await withGRPCClient(transport: transport.client) { client in
            try await body(Client(wrapping: client))
        }
    }
}

func fea(_ d: Digest) -> Hashdb_V1_Fea {
    .with { $0.fe0 = d.e0.value; $0.fe1 = d.e1.value; $0.fe2 = d.e2.value; $0.fe3 = d.e3.value }
}

func digest(_ f: Hashdb_V1_Fea) -> Digest { Digest(canonical: f.fe0, f.fe1, f.fe2, f.fe3) }

func setRequest(_ root: Digest, _ key: Digest, _ value: String, details: Bool = false, batch: String = "",
                persistence: Int = 1, block: UInt64 = 0, tx: UInt64 = 0) -> Hashdb_V1_SetRequest {
    .with {
        $0.oldRoot = fea(root); $0.key = fea(key); $0.value = value; $0.details = details
        $0.batchUuid = batch; $0.persistence = .init(rawValue: persistence)!; $0.blockIndex = block; $0.txIndex = tx
    }
}

private struct RawVector: Decodable {
    let keys: [String]
    let values: [String]
    let expectedRoot: String
}

/// Expects an RPC to fail with INVALID_ARGUMENT whose message names `field`.
func expectInvalid(_ field: String, _ call: () async throws -> Void) async {
    do {
        try await call()
        Issue.record("expected INVALID_ARGUMENT naming \(field)")
    } catch let error as RPCError {
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains(field), "\(error.message)")
    } catch {
        Issue.record("unexpected \(error)")
    }
}

@Suite("hashdb.v1 service, in process")
struct ServiceTests {
    @Test("Set reaches the public vectors' roots; Get reads back padded values")
    func setAndGetVectors() async throws {
        let vectors = try Vectors.load([RawVector].self, "state-tree/smt-raw.json")
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        try await withService(db) { client in
            for v in vectors {
                var root = Digest.zero
                for (k, value) in zip(v.keys, v.values) {
                    let key = try Digest(scalar: UInt256(parsing: k))
                    let hex = try UInt256(parsing: value).unprefixedHex
                    let r = try await client.set(setRequest(root, key, hex))
                    #expect(r.result.code == .success)
                    root = digest(r.newRoot)
                }
                #expect(root.hexString == v.expectedRoot)
                // The last write of each key wins; Get returns it as 64 lowercase hex digits.
                var final: [Digest: UInt256] = [:]
                for (k, value) in zip(v.keys, v.values) { final[try Digest(scalar: UInt256(parsing: k))] = try UInt256(parsing: value) }
                for (key, value) in final {
                    let g = try await client.get(.with { $0.root = fea(root); $0.key = fea(key) })
                    #expect(g.result.code == .success)
                    let hex = value.unprefixedHex.lowercased()
                    #expect(g.value == String(repeating: "0", count: 64 - hex.count) + hex)
                }
            }
        }
    }

    @Test("Set and Get details: modes, siblings, ins key/value, proof hash counter, read log")
    func details() async throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        try await withService(db) { client in
            let k1 = Digest(canonical: 0b0101, 0, 0, 0), k2 = Digest(canonical: 0b1101, 0, 0, 0)
            let a = try await client.set(setRequest(.zero, k1, "0x2a", details: true))
            #expect(a.mode == "insertNotFound" && a.isOld0 && a.oldValue == "0" && a.newValue == "2a")
            let b = try await client.set(setRequest(digest(a.newRoot), k2, "ff", details: true))
            #expect(b.mode == "insertFound")
            #expect(digest(b.insKey) == k1 && b.insValue == "2a")
            let c = try await client.set(setRequest(digest(b.newRoot), k2, "FF00", details: true))
            #expect(c.mode == "update" && c.oldValue == "ff" && c.newValue == "ff00")
            #expect(!c.siblings.isEmpty && c.siblings.values.allSatisfy { $0.sibling.count == 12 })
            #expect(c.proofHashCounter > 0)
            let g = try await client.get(.with {
                $0.root = c.newRoot; $0.key = fea(k2); $0.details = true; $0.getDbReadLog = true
            })
            #expect(g.value == String(repeating: "0", count: 60) + "ff00")
            #expect(digest(g.key) == k2 && digest(g.root) == digest(c.newRoot))
            #expect(!g.dbReadLog.isEmpty)
            for (h, list) in g.dbReadLog {
                #expect(h.count == 64 && !h.hasPrefix("0x"))
                let node = try NodeData(elements: list.fe)
                #expect(node.hash.map { String($0.hexString.dropFirst(2)) } == h)
            }
            let d = try await client.set(setRequest(digest(c.newRoot), k1, "0", details: true))
            #expect(d.mode == "deleteFound")
            let z = try await client.set(setRequest(digest(d.newRoot), k1, "0", details: true))
            #expect(z.mode == "zeroToZero")
            // details = false: only the new root and the result.
            let quiet = try await client.set(setRequest(digest(d.newRoot), k1, "7"))
            #expect(quiet.mode.isEmpty && quiet.siblings.isEmpty && !quiet.hasOldRoot && quiet.result.code == .success)
        }
    }

    @Test("Bad requests are INVALID_ARGUMENT naming the field and change nothing")
    func badRequests() async throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        try await withService(db) { client in
            let p = FieldElement.order
            await expectInvalid("key.fe2") {
                var r = setRequest(.zero, .zero, "1"); r.key.fe2 = p
                _ = try await client.set(r)
            }
            await expectInvalid("old_root.fe0") {
                var r = setRequest(.zero, .zero, "1"); r.oldRoot.fe0 = UInt64.max
                _ = try await client.set(r)
            }
            for bad in ["", "0x", "xyz", "-1", String(repeating: "f", count: 65), "1 "] {
                await expectInvalid("value") { _ = try await client.set(setRequest(.zero, .zero, bad)) }
            }
            await expectInvalid("persistence") { _ = try await client.set(setRequest(.zero, .zero, "1", persistence: 4)) }
            await expectInvalid("root.fe3") { _ = try await client.get(.with { $0.root.fe3 = p }) }
            await expectInvalid("new_state_root") {
                _ = try await client.flush(.with { $0.batchUuid = "b"; $0.newStateRoot = "0xnothex" })
            }
            await expectInvalid("input_db") {
                _ = try await client.loadDB(.with { $0.inputDb = ["12": .with { $0.fe = [1, 2, 3] }]; $0.persistent = true })
            }
            #expect(db.batches.batchCount == 0)
            #expect(db.flushStatus.lastFlushId == 0)
            let stored = try db.store.counts().nodes
            #expect(stored == 0)
        }
    }

    @Test("Persistence 3 (TEMPORARY_HASH, outside the enum) is accepted")
    func persistenceThree() async throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        try await withService(db) { client in
            let r = try await client.set(setRequest(.zero, Digest(canonical: 1, 0, 0, 0), "5", batch: "b", persistence: 3))
            #expect(r.result.code == .success)
            let f = try await client.flush(.with { $0.batchUuid = "b"; $0.persistence = .database })
            #expect(f.result.code == .success && f.flushID == 1)
            // TEMPORARY_HASH nodes are never written.
            _ = try db.flush(wait: true)
            let stored = try db.store.counts().nodes
            #expect(stored == 0)
        }
    }

    @Test("A failed Get returns an empty value and DB_KEY_NOT_FOUND; a failed Set returns a zero root and changes nothing")
    func failures() async throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        try await withService(db) { client in
            let missing = Digest(canonical: 1, 2, 3, 4)
            let g = try await client.get(.with { $0.root = fea(missing); $0.key = fea(.zero) })
            #expect(g.result.code == .dbKeyNotFound)
            #expect(g.value.isEmpty)
            let s = try await client.set(setRequest(missing, .zero, "1", batch: "x"))
            #expect(s.result.code == .dbKeyNotFound)
            #expect(digest(s.newRoot) == .zero)
            #expect(!db.batches.contains("x"))
            let p = try await client.getProgram(.with { $0.key = fea(missing) })
            #expect(p.result.code == .dbKeyNotFound && p.data.isEmpty)
            let purge = try await client.purge(.with { $0.batchUuid = "nobody" })
            #expect(purge.result.code.rawValue == 25)
        }
    }

    @Test("Batch life cycle over gRPC: StartBlock, Sets, FinishTx revert, FinishBlock, Flush, GetFlushStatus, GetFlushData")
    func batchLifeCycle() async throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        try await withService(db) { client in
            _ = try await client.startBlock(.with { $0.batchUuid = "B"; $0.oldStateRoot = ""; $0.persistence = .database })
            var root = Digest.zero
            for i in 1...5 {
                root = digest(try await client.set(setRequest(root, Digest(canonical: UInt64(i) * 977, 1, 2, 3), "\(i)", batch: "B")).newRoot)
            }
            _ = try await client.finishTx(.with { $0.batchUuid = "B"; $0.newStateRoot = Wire_hash(root); $0.persistence = .database })
            let keep = root
            root = digest(try await client.set(setRequest(root, Digest(canonical: 99, 9, 9, 9), "9", batch: "B", tx: 1)).newRoot)
            _ = try await client.finishTx(.with { $0.batchUuid = "B"; $0.newStateRoot = "0x" + Wire_hash(keep); $0.persistence = .database })
            _ = try await client.finishBlock(.with { $0.batchUuid = "B"; $0.newStateRoot = Wire_hash(keep); $0.persistence = .database })
            // Not visible outside the batch yet.
            let outside = try await client.get(.with { $0.root = fea(keep); $0.key = fea(Digest(canonical: 977, 1, 2, 3)) })
            #expect(outside.result.code == .dbKeyNotFound)
            let f = try await client.flush(.with { $0.batchUuid = "B"; $0.newStateRoot = Wire_hash(keep); $0.persistence = .database })
            #expect(f.result.code == .success && f.flushID == 1)
            let data = try await client.getFlushData(.with { $0.flushID = 0 })
            #expect(data.result.code == .success && data.storedFlushID >= 1)
            #expect(data.nodesStateRoot.count == 192 && data.nodesStateRoot.hasPrefix(String(format: "%016llx", keep.e0.value)))
            #expect(data.nodes.values.allSatisfy { $0.count == 192 })
            #expect(data.nodes[Wire_hash(keep)] != nil)
            let status = try await client.getFlushStatus(Google_Protobuf_Empty())
            #expect(status.storedFlushID == 1 && status.lastFlushID == 1 && !status.proverID.isEmpty)
            let latest = try await client.getLatestStateRoot(Google_Protobuf_Empty())
            #expect(digest(latest.latestRoot) == keep && latest.result.code == .success)
            let inside = try await client.get(.with { $0.root = fea(keep); $0.key = fea(Digest(canonical: 977, 1, 2, 3)) })
            #expect(inside.value.hasSuffix("1") && inside.result.code == .success)
            // The reverted transaction's key is absent.
            let reverted = try await client.get(.with { $0.root = fea(keep); $0.key = fea(Digest(canonical: 99, 9, 9, 9)) })
            #expect(reverted.value == String(repeating: "0", count: 64))
            let cancel = try await client.cancelBatch(.with { $0.batchUuid = "never-started" })
            #expect(cancel.result.code == .success)
        }
    }

    @Test("Programs, LoadDB, LoadProgramDB, ReadTree, ConsolidateState, ResetDB")
    func remainingRPCs() async throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        try await withService(db, allowReset: false) { client in
            let code: [UInt8] = [0x60, 0x80, 0x60, 0x40]
            let codeHash = Poseidon.hashBytecode(code)
            let sp = try await client.setProgram(.with { $0.key = fea(codeHash); $0.data = Data(code); $0.persistence = .database })
            #expect(sp.result.code == .success)
            let gp = try await client.getProgram(.with { $0.key = fea(codeHash) })
            #expect(gp.data == Data(code))

            // LoadDB: a small tree built elsewhere, checked key = hash(value).
            let other = MemoryNodeStore()
            let keys = (1...4).map { Digest(canonical: UInt64($0) * 31, 0, 0, UInt64($0)) }
            var root = Digest.zero
            for (i, k) in keys.enumerated() { root = try SparseMerkleTree(store: other).set(root: root, key: k, value: UInt256(UInt64(i + 10))).newRoot }
            var input: [String: Hashdb_V1_FeList] = [:]
            let report = try TreeCheck().run(root: root) { hashes throws(HashDBError) in
                var out: [Digest: NodeData] = [:]
                for h in hashes {
                    if let n = try? other.node(h) { out[h] = NodeData(n) } else if let v = try? other.value(h) { out[h] = NodeData(value: v) }
                }
                return out
            }
            #expect(report.isClean)
            for h in try collect(root, other) { input[Wire_hash(h.0)] = .with { $0.fe = h.1.elements } }
            var tampered = input
            let someKey = tampered.keys.first!
            tampered[someKey]!.fe[0] ^= 1
            await expectInvalid("input_db") { _ = try await client.loadDB(.with { $0.inputDb = tampered; $0.persistent = true }) }
            _ = try await client.loadDB(.with { $0.inputDb = input; $0.persistent = true })
            let rt = try await client.readTree(.with { $0.stateRoot = fea(root); $0.keys = keys.map(fea) + [fea(Digest(canonical: 5, 5, 5, 5))] })
            #expect(rt.result.code == .success)
            #expect(rt.keyValue.map(\.value) == ["a", "b", "c", "d", "0"])
            #expect(rt.hashValue_p.count == input.count)
            for hv in rt.hashValue_p {
                let n = NodeData(low: SIMD4(hv.value.fe0, hv.value.fe1, hv.value.fe2, hv.value.fe3),
                                 high: SIMD4(hv.value.fe4, hv.value.fe5, hv.value.fe6, hv.value.fe7),
                                 capacity: SIMD4(hv.value.fe8, hv.value.fe9, hv.value.fe10, hv.value.fe11))
                #expect(n.hash == digest(hv.hash))
            }
            _ = try await client.loadProgramDB(.with { $0.inputProgramDb = [Wire_hash(codeHash): Data(code)] })
            await expectInvalid("input_program_db") {
                _ = try await client.loadProgramDB(.with { $0.inputProgramDb = [Wire_hash(root): Data(code)] })
            }

            // ConsolidateState flushes the batch that ends at the root.
            let s = try await client.set(setRequest(root, keys[0], "77", batch: "C"))
            let cs = try await client.consolidateState(.with { $0.virtualStateRoot = s.newRoot; $0.persistence = .database })
            #expect(cs.result.code == .success && digest(cs.consolidatedStateRoot) == digest(s.newRoot) && cs.flushID >= 1)
            let unknown = try await client.consolidateState(.with { $0.virtualStateRoot = fea(Digest(canonical: 8, 8, 8, 8)) })
            #expect(unknown.result.code.rawValue == 25)

            let reset = try await client.resetDB(Google_Protobuf_Empty())
            #expect(reset.result.code == .dbError)
        }
    }

    @Test("ResetDB, when allowed, empties the store")
    func resetAllowed() async throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        try await withService(db, allowReset: true) { client in
            let s = try await client.set(setRequest(.zero, Digest(canonical: 3, 0, 0, 0), "3"))
            _ = try await client.flush(.with { _ in })
            let reset = try await client.resetDB(Google_Protobuf_Empty())
            #expect(reset.result.code == .success)
            let g = try await client.get(.with { $0.root = s.newRoot; $0.key = fea(Digest(canonical: 3, 0, 0, 0)) })
            #expect(g.result.code == .dbKeyNotFound)
        }
    }

    @Test("With the read log switched off the map is empty, as the prover sends it")
    func readLogOff() async throws {
        let db = try HashDB(store: MemoryStore())
        defer { db.close() }
        try await withService(db, readLog: false) { client in
            let s = try await client.set(setRequest(.zero, Digest(canonical: 3, 0, 0, 0), "3"))
            let g = try await client.get(.with { $0.root = s.newRoot; $0.key = fea(Digest(canonical: 3, 0, 0, 0)); $0.getDbReadLog = true })
            #expect(g.dbReadLog.isEmpty && g.result.code == .success)
        }
    }
}

/// Hash text form (64 lowercase hex digits, no 0x).
func Wire_hash(_ d: Digest) -> String { String(d.hexString.dropFirst(2)) }

/// Every node and value under `root` in a memory store, as stored preimages.
func collect(_ root: Digest, _ store: MemoryNodeStore) throws -> [(Digest, NodeData)] {
    var out: [(Digest, NodeData)] = []
    var stack = [root]
    while let h = stack.popLast() {
        guard let node = try store.node(h) else { continue }
        out.append((h, NodeData(node)))
        switch node {
        case let .branch(l, r): stack += [l, r].filter { !$0.isZero }
        case let .leaf(_, v): out.append((v, NodeData(value: try store.existingValue(v))))
        }
    }
    return out
}

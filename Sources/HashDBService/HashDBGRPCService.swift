import Foundation
import Goldilocks
import GRPCCore
import HashDB
import Logging
import Metrics
import SMT
import SwiftProtobuf

/// `hashdb.v1.HashDBService` over a ``HashDB`` (hashdb spec §8).
///
/// Every method with a `result` field always sets it; malformed input is an INVALID_ARGUMENT
/// status naming the field and changes nothing. Requests of one batch are serialised (one of 64
/// locks striped by batch id); different batches run in parallel.
public final class HashDBGRPCService: Hashdb_V1_HashDBService.SimpleServiceProtocol, Sendable {
    /// The database served.
    public let db: HashDB
    /// A new random id per process start (GetFlushStatus.prover_id).
    public let proverId = UUID().uuidString.lowercased()
    /// Whether the db read log is filled (`dbReadLog`); off reproduces the prover's empty map.
    public let readLog: Bool
    /// Whether ResetDB may delete everything (`allowResetDB`).
    public let allowReset: Bool
    private let logger: Logger
    private let stripes: [NSLock] = (0..<64).map { _ in NSLock() }
    private let requestMetrics: [String: (Counter, Counter, Metrics.Timer)]

    static let methods = ["GetLatestStateRoot", "Set", "Get", "SetProgram", "GetProgram", "LoadDB", "LoadProgramDB",
                          "FinishTx", "StartBlock", "FinishBlock", "Flush", "GetFlushStatus", "GetFlushData",
                          "ConsolidateState", "Purge", "ReadTree", "CancelBatch", "ResetDB"]

    /// A service over `db`.
    public init(db: HashDB, readLog: Bool = true, allowReset: Bool = false, logger: Logger = Logger(label: "zkstate.hashdb")) {
        self.db = db
        self.readLog = readLog
        self.allowReset = allowReset
        self.logger = logger
        var m: [String: (Counter, Counter, Metrics.Timer)] = [:]
        for name in Self.methods {
            m[name] = (Counter(label: "hashdb_requests_total", dimensions: [("method", name)]),
                       Counter(label: "hashdb_request_errors_total", dimensions: [("method", name)]),
                       Metrics.Timer(label: "hashdb_request_duration_seconds", dimensions: [("method", name)], preferredDisplayUnit: .seconds))
        }
        requestMetrics = m
    }

    /// Runs one request: counts it, times it, serialises it with its batch, logs failures.
    private func serve<R>(_ method: String, batch: String = "", _ body: () throws -> R) throws -> R {
        let start = DispatchTime.now().uptimeNanoseconds
        let metrics = requestMetrics[method]
        metrics?.0.increment()
        defer { metrics?.2.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start)) }
        let lock = batch.isEmpty ? nil : stripes[Int(UInt(bitPattern: batch.hashValue) % 64)]
        lock?.lock()
        defer { lock?.unlock() }
        do {
            return try body()
        } catch let error as RPCError {
            metrics?.1.increment()
            logger.debug("\(method): \(error.message)")
            throw error
        } catch let error as HashDBError {
            metrics?.1.increment()
            if case .shuttingDown = error { throw RPCError(code: .unavailable, message: "the server is shutting down") }
            if case let .invalidArgument(field, reason) = error { throw Wire.invalid(field, reason) }
            logger.error("\(method): \(error)")
            throw RPCError(code: .internalError, message: "\(error)")
        }
    }

    private func result(_ failure: any Error, _ method: String) -> Hashdb_V1_ResultCode {
        requestMetrics[method]?.1.increment()
        let error = failure as? HashDBError ?? .storeFailed(location: "service", reason: "\(failure)")
        switch error {
        case .nodeNotFound, .programNotFound: logger.debug("\(method): \(error)")
        default: logger.error("\(method): \(error)")
        }
        return Wire.code(ResultCode(error))
    }

    // MARK: Leaves

    public func set(request: Hashdb_V1_SetRequest, context: ServerContext) async throws -> Hashdb_V1_SetResponse {
        try serve("Set", batch: request.batchUuid) {
            let oldRoot = try Wire.digest(request.oldRoot, field: "old_root")
            let key = try Wire.digest(request.key, field: "key")
            let value = try Wire.value(request.value)
            let persistence = try Wire.persistence(request.persistence)
            let block = try Wire.index(request.blockIndex, field: "block_index")
            let tx = try Wire.index(request.txIndex, field: "tx_index")
            var response = Hashdb_V1_SetResponse()
            do {
                let outcome = try db.set(root: oldRoot, key: key, value: value, persistence: persistence,
                                         batch: request.batchUuid, block: block, tx: tx,
                                         logReads: readLog && request.getDbReadLog)
                let r = outcome.result
                response.newRoot = Wire.fea(r.newRoot)
                if request.details {
                    response.oldRoot = Wire.fea(r.oldRoot)
                    response.key = Wire.fea(r.key)
                    response.siblings = Wire.siblings(r.siblings)
                    if let k = r.insKey { response.insKey = Wire.fea(k) }
                    response.insValue = r.insValue.map(Wire.hex) ?? "0"
                    response.isOld0 = r.isOld0
                    response.oldValue = Wire.hex(r.oldValue)
                    response.newValue = Wire.hex(r.newValue)
                    response.mode = r.mode.rawValue
                    response.proofHashCounter = UInt64(r.proofHashCounter)
                    if let c = r.siblingLeftChild { response.siblingLeftChild = Wire.fea(c) }
                    if let c = r.siblingRightChild { response.siblingRightChild = Wire.fea(c) }
                }
                response.dbReadLog = Wire.readLog(outcome.readLog)
                response.result = Wire.code(.success)
            } catch {
                response = Hashdb_V1_SetResponse()
                response.newRoot = Wire.fea(.zero)
                response.result = result(error, "Set")
            }
            return response
        }
    }

    public func get(request: Hashdb_V1_GetRequest, context: ServerContext) async throws -> Hashdb_V1_GetResponse {
        try serve("Get", batch: request.batchUuid) {
            let root = try Wire.digest(request.root, field: "root")
            let key = try Wire.digest(request.key, field: "key")
            var response = Hashdb_V1_GetResponse()
            do {
                let (r, log) = try db.get(root: root, key: key, batch: request.batchUuid,
                                          logReads: readLog && request.getDbReadLog)
                response.value = Wire.paddedHex(r.value)
                if request.details {
                    response.root = Wire.fea(r.root)
                    response.key = Wire.fea(r.key)
                    response.siblings = Wire.siblings(r.siblings)
                    if let k = r.insKey { response.insKey = Wire.fea(k) }
                    response.insValue = r.insValue.map(Wire.hex) ?? "0"
                    response.isOld0 = r.isOld0
                    response.proofHashCounter = UInt64(r.proofHashCounter)
                }
                response.dbReadLog = Wire.readLog(log)
                response.result = Wire.code(.success)
            } catch {
                // Never a zero a client could read as "balance 0": the value is empty.
                response = Hashdb_V1_GetResponse()
                response.result = result(error, "Get")
            }
            return response
        }
    }

    // MARK: Programs

    public func setProgram(request: Hashdb_V1_SetProgramRequest, context: ServerContext) async throws -> Hashdb_V1_SetProgramResponse {
        try serve("SetProgram", batch: request.batchUuid) {
            let key = try Wire.digest(request.key, field: "key")
            let persistence = try Wire.persistence(request.persistence)
            let block = try Wire.index(request.blockIndex, field: "block_index")
            let tx = try Wire.index(request.txIndex, field: "tx_index")
            var response = Hashdb_V1_SetProgramResponse()
            do {
                try db.setProgram(key, bytes: [UInt8](request.data), persistence: persistence,
                                  batch: request.batchUuid, block: block, tx: tx)
                response.result = Wire.code(.success)
            } catch {
                response.result = result(error, "SetProgram")
            }
            return response
        }
    }

    public func getProgram(request: Hashdb_V1_GetProgramRequest, context: ServerContext) async throws -> Hashdb_V1_GetProgramResponse {
        try serve("GetProgram", batch: request.batchUuid) {
            let key = try Wire.digest(request.key, field: "key")
            var response = Hashdb_V1_GetProgramResponse()
            do {
                guard let bytes = try db.program(key, batch: request.batchUuid) else { throw HashDBError.programNotFound(key) }
                response.data = Data(bytes)
                response.result = Wire.code(.success)
            } catch {
                response.result = result(error, "GetProgram")
            }
            return response
        }
    }

    // MARK: Bulk load

    public func loadDB(request: Hashdb_V1_LoadDBRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try serve("LoadDB") {
            var nodes: [(Digest, NodeData)] = []
            nodes.reserveCapacity(request.inputDb.count)
            for (text, list) in request.inputDb {
                let field = "input_db[\(text.prefix(70))]"
                let h = try Wire.key(text, field: field)
                guard let n = try? NodeData(elements: list.fe) else {
                    throw Wire.invalid(field, "expected 8 or 12 elements, got \(list.fe.count)")
                }
                guard n.isCanonical else { throw Wire.invalid(field, "an element is not a field element (must be < p)") }
                nodes.append((h, n))
            }
            do {
                try db.loadNodes(nodes, persistent: request.persistent)
            } catch let HashDBError.corruptNode(h, actual) {
                throw Wire.invalid("input_db[\(Wire.hashText(h))]", "the key is not the hash of the value (\(actual.map(Wire.hashText) ?? "non-canonical"))")
            } catch let HashDBError.invalidNode(h, why) {
                throw Wire.invalid("input_db[\(Wire.hashText(h))]", "\(why)")
            }
            return Google_Protobuf_Empty()
        }
    }

    public func loadProgramDB(request: Hashdb_V1_LoadProgramDBRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try serve("LoadProgramDB") {
            var programs: [(Digest, [UInt8])] = []
            for (text, data) in request.inputProgramDb {
                programs.append((try Wire.key(text, field: "input_program_db[\(text.prefix(70))]"), [UInt8](data)))
            }
            try db.loadPrograms(programs, persistent: request.persistent)
            return Google_Protobuf_Empty()
        }
    }

    // MARK: Batch life cycle

    public func startBlock(request: Hashdb_V1_StartBlockRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try serve("StartBlock", batch: request.batchUuid) {
            let root = try Wire.root(request.oldStateRoot, field: "old_state_root") ?? .zero
            let p = try Wire.persistence(request.persistence)
            if !request.batchUuid.isEmpty { db.startBlock(batch: request.batchUuid, oldRoot: root, persistence: p) }
            return Google_Protobuf_Empty()
        }
    }

    public func finishTx(request: Hashdb_V1_FinishTxRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try serve("FinishTx", batch: request.batchUuid) {
            let root = try Wire.root(request.newStateRoot, field: "new_state_root") ?? .zero
            let p = try Wire.persistence(request.persistence)
            if !request.batchUuid.isEmpty { db.finishTx(batch: request.batchUuid, root: root, persistence: p) }
            return Google_Protobuf_Empty()
        }
    }

    public func finishBlock(request: Hashdb_V1_FinishBlockRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try serve("FinishBlock", batch: request.batchUuid) {
            let root = try Wire.root(request.newStateRoot, field: "new_state_root") ?? .zero
            let p = try Wire.persistence(request.persistence)
            if !request.batchUuid.isEmpty { db.finishBlock(batch: request.batchUuid, root: root, persistence: p) }
            return Google_Protobuf_Empty()
        }
    }

    public func flush(request: Hashdb_V1_FlushRequest, context: ServerContext) async throws -> Hashdb_V1_FlushResponse {
        try serve("Flush", batch: request.batchUuid) {
            let root = try Wire.root(request.newStateRoot, field: "new_state_root")
            let p = try Wire.persistence(request.persistence)
            var response = Hashdb_V1_FlushResponse()
            do {
                let (id, stored) = try db.flush(batch: request.batchUuid, root: root, persistence: p)
                response.flushID = id
                response.storedFlushID = stored
                response.result = Wire.code(.success)
            } catch {
                response.result = result(error, "Flush")
            }
            return response
        }
    }

    public func cancelBatch(request: Hashdb_V1_CancelBatchRequest, context: ServerContext) async throws -> Hashdb_V1_CancelBatchResponse {
        try serve("CancelBatch", batch: request.batchUuid) {
            db.cancelBatch(request.batchUuid)
            var response = Hashdb_V1_CancelBatchResponse()
            response.result = Wire.code(.success)
            return response
        }
    }

    public func purge(request: Hashdb_V1_PurgeRequest, context: ServerContext) async throws -> Hashdb_V1_PurgeResponse {
        try serve("Purge", batch: request.batchUuid) {
            let root = try Wire.digest(request.newStateRoot, field: "new_state_root")
            _ = try Wire.persistence(request.persistence)
            var response = Hashdb_V1_PurgeResponse()
            do {
                try db.purge(batch: request.batchUuid, root: root)
                response.result = Wire.code(.success)
            } catch {
                response.result = result(error, "Purge")
            }
            return response
        }
    }

    public func consolidateState(request: Hashdb_V1_ConsolidateStateRequest, context: ServerContext) async throws -> Hashdb_V1_ConsolidateStateResponse {
        try serve("ConsolidateState") {
            let root = try Wire.digest(request.virtualStateRoot, field: "virtual_state_root")
            let p = try Wire.persistence(request.persistence)
            var response = Hashdb_V1_ConsolidateStateResponse()
            do {
                let batch = db.batches.batch(withCurrentRoot: root)
                guard batch != nil || root == db.latestStateRoot else {
                    throw HashDBError.stateManager("ConsolidateState: no batch ends at \(root.hexString) and it is not the latest root")
                }
                let (id, stored) = try db.flush(batch: batch, root: root, persistence: p)
                response.consolidatedStateRoot = Wire.fea(root)
                response.flushID = id
                response.storedFlushID = stored
                response.result = Wire.code(.success)
            } catch {
                response.result = result(error, "ConsolidateState")
            }
            return response
        }
    }

    // MARK: Status and maintenance

    public func getLatestStateRoot(request: Google_Protobuf_Empty, context: ServerContext) async throws -> Hashdb_V1_GetLatestStateRootResponse {
        try serve("GetLatestStateRoot") {
            var response = Hashdb_V1_GetLatestStateRootResponse()
            response.latestRoot = Wire.fea(db.latestStateRoot)
            response.result = Wire.code(.success)
            return response
        }
    }

    public func getFlushStatus(request: Google_Protobuf_Empty, context: ServerContext) async throws -> Hashdb_V1_GetFlushStatusResponse {
        try serve("GetFlushStatus") {
            let s = db.flushStatus
            var response = Hashdb_V1_GetFlushStatusResponse()
            response.storedFlushID = s.storedFlushId
            response.storingFlushID = s.storingFlushId
            response.lastFlushID = s.lastFlushId
            response.pendingToFlushNodes = UInt64(s.pendingNodes)
            response.pendingToFlushProgram = UInt64(s.pendingPrograms)
            response.storingNodes = UInt64(s.storingNodes)
            response.storingProgram = UInt64(s.storingPrograms)
            response.proverID = proverId
            return response
        }
    }

    public func getFlushData(request: Hashdb_V1_GetFlushDataRequest, context: ServerContext) async throws -> Hashdb_V1_GetFlushDataResponse {
        // A suspension, not a blocked thread: any number of callers may wait at once.
        let (sets, stored) = await db.pipeline.flushData(after: request.flushID, timeout: .seconds(60))
        return try serve("GetFlushData") {
            var response = Hashdb_V1_GetFlushDataResponse()
            response.storedFlushID = stored
            guard let sets else {
                response.result = Wire.code(.databaseError)
                return response
            }
            for set in sets {
                for (h, n) in set.nodes { response.nodes[Wire.hashText(h)] = Wire.nodeText(n) }
                for (h, p) in set.programs { response.program[Wire.hashText(h)] = p.map { String(format: "%02x", $0) }.joined() }
                if let root = set.stateRoot { response.nodesStateRoot = Wire.nodeText(NodeData(low: root.raw, high: .zero)) }
            }
            if let newest = sets.last { response.storedFlushID = newest.flushId }
            response.result = Wire.code(.success)
            return response
        }
    }

    public func readTree(request: Hashdb_V1_ReadTreeRequest, context: ServerContext) async throws -> Hashdb_V1_ReadTreeResponse {
        try serve("ReadTree") {
            let root = try Wire.digest(request.stateRoot, field: "state_root")
            var keys: [Digest] = []
            for (i, k) in request.keys.enumerated() { keys.append(try Wire.digest(k, field: "keys[\(i)]")) }
            var response = Hashdb_V1_ReadTreeResponse()
            do {
                let (values, nodes) = try db.readTree(root: root, keys: keys)
                for (k, v) in zip(keys, values) {
                    var kv = Hashdb_V1_KeyValue()
                    kv.key = Wire.fea(k)
                    kv.value = Wire.hex(v)
                    response.keyValue.append(kv)
                }
                for (h, n) in nodes.sorted(by: { Digest.keyOrder($0.key, $1.key) }) {
                    var hv = Hashdb_V1_HashValueGL()
                    hv.hash = Wire.fea(h)
                    let e = n.elements + [UInt64](repeating: 0, count: 12 - n.count)
                    hv.value.fe0 = e[0]; hv.value.fe1 = e[1]; hv.value.fe2 = e[2]; hv.value.fe3 = e[3]
                    hv.value.fe4 = e[4]; hv.value.fe5 = e[5]; hv.value.fe6 = e[6]; hv.value.fe7 = e[7]
                    hv.value.fe8 = e[8]; hv.value.fe9 = e[9]; hv.value.fe10 = e[10]; hv.value.fe11 = e[11]
                    response.hashValue_p.append(hv)
                }
                response.result = Wire.code(.success)
            } catch {
                response = Hashdb_V1_ReadTreeResponse()
                response.result = result(error, "ReadTree")
            }
            return response
        }
    }

    public func resetDB(request: Google_Protobuf_Empty, context: ServerContext) async throws -> Hashdb_V1_ResetDBResponse {
        try serve("ResetDB") {
            var response = Hashdb_V1_ResetDBResponse()
            guard allowReset else {
                logger.warning("ResetDB refused: allowResetDB is off")
                response.result = Wire.code(.databaseError)
                return response
            }
            do {
                try db.reset()
                response.result = Wire.code(.success)
            } catch {
                response.result = result(error, "ResetDB")
            }
            return response
        }
    }
}

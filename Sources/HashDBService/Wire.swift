import Goldilocks
import GRPCCore
import HashDB
import SMT

/// The protocol's encodings (hashdb spec §0, §8.1, §8.3): every malformed field becomes an
/// INVALID_ARGUMENT status naming the field and what was expected.
enum Wire {
    static func invalid(_ field: String, _ reason: String) -> RPCError {
        RPCError(code: .invalidArgument, message: "\(field): \(reason)")
    }

    /// A Fea (4 limbs, each < p). An absent message is the zero digest, as proto3 defaults.
    static func digest(_ fea: Hashdb_V1_Fea, field: String) throws(RPCError) -> Digest {
        let limbs = [fea.fe0, fea.fe1, fea.fe2, fea.fe3]
        for (i, limb) in limbs.enumerated() where limb >= FieldElement.order {
            throw invalid("\(field).fe\(i)", "\(limb) is not a field element (must be < p = 18446744069414584321)")
        }
        return Digest(canonical: limbs[0], limbs[1], limbs[2], limbs[3])
    }

    static func fea(_ d: Digest) -> Hashdb_V1_Fea {
        var f = Hashdb_V1_Fea()
        f.fe0 = d.e0.value; f.fe1 = d.e1.value; f.fe2 = d.e2.value; f.fe3 = d.e3.value
        return f
    }

    /// Hash text form: 64 lowercase hex digits, limb 3 first, no 0x.
    static func hashText(_ d: Digest) -> String { String(d.hexString.dropFirst(2)) }

    /// A hash/root string: optional 0x, 0–64 hex digits (either case), left-padded; nil when empty.
    static func root(_ text: String, field: String) throws(RPCError) -> Digest? {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard digits.count <= 64, digits.allSatisfy(\.isHexDigit) else {
            throw invalid(field, "expected 0–64 hex digits with an optional 0x, got \(text.count > 80 ? String(text.prefix(80)) + "…" : text)")
        }
        if digits.isEmpty { return nil }
        do {
            return try Digest(hexString: "0x" + String(repeating: "0", count: 64 - digits.count) + digits.lowercased())
        } catch {
            throw invalid(field, "a limb is not a field element (must be < p)")
        }
    }

    /// A map key: 1–64 hex digits with an optional 0x.
    static func key(_ text: String, field: String) throws(RPCError) -> Digest {
        guard let d = try root(text, field: field) else { throw invalid(field, "empty hash") }
        return d
    }

    /// Set.value: optional 0x/0X, then 1–64 hex digits (§8.3).
    static func value(_ text: String) throws(RPCError) -> UInt256 {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 64, digits.allSatisfy(\.isHexDigit) else {
            throw invalid("value", "expected 1–64 hex digits with an optional 0x (a value below 2^256), got \(text.count > 80 ? String(text.prefix(80)) + "…" : "\"\(text)\"")")
        }
        do { return try UInt256(hex: digits) } catch { throw invalid("value", "\(error)") }
    }

    /// Unpadded lowercase hex, "0" for zero (ins_value, old_value, new_value, ReadTree values).
    static func hex(_ v: UInt256) -> String {
        let digits = v.unprefixedHex.lowercased().drop { $0 == "0" }
        return digits.isEmpty ? "0" : String(digits)
    }

    /// Get.value: 64 lowercase hex digits.
    static func paddedHex(_ v: UInt256) -> String {
        let h = v.unprefixedHex.lowercased()
        return String(repeating: "0", count: max(0, 64 - h.count)) + h
    }

    /// Persistence 0…3 (3 is not in the proto's enum; the prover's executor sends it).
    static func persistence(_ p: Hashdb_V1_Persistence, field: String = "persistence") throws(RPCError) -> Persistence {
        guard let value = Persistence(wire: p.rawValue) else {
            throw invalid(field, "\(p.rawValue) is not a persistence (0 CACHE, 1 DATABASE, 2 TEMPORARY, 3 TEMPORARY_HASH)")
        }
        return value
    }

    static func index(_ v: UInt64, field: String) throws(RPCError) -> Int {
        guard v <= UInt64(Int32.max) else { throw invalid(field, "\(v) is out of range") }
        return Int(v)
    }

    /// A node's elements as an FeList (8 or 12 values).
    static func feList(_ n: NodeData) -> Hashdb_V1_FeList {
        var l = Hashdb_V1_FeList()
        l.fe = n.elements
        return l
    }

    static func readLog(_ log: [Digest: NodeData]?) -> [String: Hashdb_V1_FeList] {
        guard let log else { return [:] }
        var out: [String: Hashdb_V1_FeList] = [:]
        out.reserveCapacity(log.count)
        for (h, n) in log { out[hashText(h)] = feList(n) }
        return out
    }

    /// Siblings as the prover sends them: level → the 12 elements of the branch at that level.
    static func siblings(_ branches: [Branch]) -> [UInt64: Hashdb_V1_SiblingList] {
        var out: [UInt64: Hashdb_V1_SiblingList] = [:]
        for (level, b) in branches.enumerated() {
            var l = Hashdb_V1_SiblingList()
            l.sibling = [b.left.e0.value, b.left.e1.value, b.left.e2.value, b.left.e3.value,
                         b.right.e0.value, b.right.e1.value, b.right.e2.value, b.right.e3.value, 0, 0, 0, 0]
            out[UInt64(level)] = l
        }
        return out
    }

    /// Node value text form: the byte form in lowercase hex (192 digits for 12 elements).
    static func nodeText(_ n: NodeData) -> String {
        n.elements.map { e in
            let h = String(e, radix: 16)
            return String(repeating: "0", count: 16 - h.count) + h
        }.joined()
    }

    static func code(_ c: ResultCode) -> Hashdb_V1_ResultCode {
        var r = Hashdb_V1_ResultCode()
        r.code = Hashdb_V1_ResultCode.Code(rawValue: c.rawValue) ?? .UNRECOGNIZED(c.rawValue)
        return r
    }
}

/// The result numbers a HashDB answers with (hashdb spec §9). Numbers outside the proto's enum
/// (8, 25) are sent as the prover sends them.
enum ResultCode: Int, Sendable {
    case success = 1
    case keyNotFound = 2
    case databaseError = 3
    case internalError = 4
    case invalidDataSize = 8
    case stateManager = 25

    /// The code of a HashDB failure.
    init(_ error: HashDBError) {
        switch error {
        case .nodeNotFound, .programNotFound: self = .keyNotFound
        case .invalidNode: self = .invalidDataSize
        case .stateManager: self = .stateManager
        case .corruptNode: self = .internalError
        case .storeUnreachable, .storeFailed, .schemaMismatch, .readOnly, .invalidConfiguration,
             .invalidArgument, .shuttingDown:
            self = .databaseError
        }
    }
}

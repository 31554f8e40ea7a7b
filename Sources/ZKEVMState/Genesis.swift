import Foundation
import Goldilocks
import SMT

/// A list of accounts to start a state from, as read from a genesis file.
public struct Genesis: Sendable, Equatable {
    /// The accounts, in file order.
    public var accounts: [Account]
    /// The root the file says the state must have, when it says one.
    public var expectedRoot: NodeHash?

    /// A genesis from its parts.
    public init(accounts: [Account], expectedRoot: NodeHash? = nil) {
        self.accounts = accounts
        self.expectedRoot = expectedRoot
    }

    /// Reads a genesis file. Accepted shapes:
    ///
    /// - the node format: `{"genesis": [{"address", "balance", "nonce", "bytecode"?, "storage"?}], "root"?}`;
    /// - the account-list format of the public vectors: `{"addresses": [...], "expectedRoot"?}`,
    ///   or an array of such objects (one genesis each);
    /// - a bare array of account objects.
    ///
    /// Numbers are decimal (leading zeros allowed) or `0x` hex strings, or JSON integers.
    /// Errors name the path of the bad field, e.g. `genesis[3].storage.0x01`.
    public static func parse(_ data: Data) throws(StateError) -> [Genesis] {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .invalidField(path: "$", reason: "not valid JSON (\(Genesis.describe(error)))")
        }
        if let object = json as? [String: Any] {
            return [try parseObject(object, path: "$")]
        }
        guard let array = json as? [Any] else {
            throw .invalidField(path: "$", reason: "expected an object with 'genesis' or 'addresses', or an array")
        }
        if array.allSatisfy({ ($0 as? [String: Any])?["address"] != nil }) {
            return [Genesis(accounts: try parseAccounts(array, path: "$"))]
        }
        var out: [Genesis] = []
        for (i, element) in array.enumerated() {
            guard let object = element as? [String: Any] else {
                throw .invalidField(path: "$[\(i)]", reason: "expected an object")
            }
            out.append(try parseObject(object, path: "$[\(i)]"))
        }
        return out
    }

    private static func parseObject(_ object: [String: Any], path: String) throws(StateError) -> Genesis {
        if let list = object["genesis"] {
            guard let accounts = list as? [Any] else { throw .invalidField(path: "\(path).genesis", reason: "expected an array") }
            let root = try object["root"].map { (r) throws(StateError) in try digest(r, path: "\(path).root") }
            return Genesis(accounts: try parseAccounts(accounts, path: "\(path).genesis"), expectedRoot: root)
        }
        if let list = object["addresses"] {
            guard let accounts = list as? [Any] else { throw .invalidField(path: "\(path).addresses", reason: "expected an array") }
            let root = try object["expectedRoot"].map { (r) throws(StateError) in try digest(r, path: "\(path).expectedRoot") }
            return Genesis(accounts: try parseAccounts(accounts, path: "\(path).addresses"), expectedRoot: root)
        }
        throw .invalidField(path: path, reason: "expected a 'genesis' or an 'addresses' array")
    }

    private static func parseAccounts(_ list: [Any], path: String) throws(StateError) -> [Account] {
        var accounts: [Account] = []
        for (i, element) in list.enumerated() {
            let here = "\(path)[\(i)]"
            guard let object = element as? [String: Any] else { throw .invalidField(path: here, reason: "expected an object") }
            guard let addressText = object["address"] as? String else {
                throw .invalidField(path: "\(here).address", reason: "missing or not a string")
            }
            let address: Address
            do { address = try Address(hex: addressText) } catch {
                throw .invalidField(path: "\(here).address", reason: "\(error)")
            }
            var account = Account(address: address)
            account.balance = try object["balance"].map { (v) throws(StateError) in try number(v, path: "\(here).balance") } ?? .zero
            account.nonce = try object["nonce"].map { (v) throws(StateError) in try number(v, path: "\(here).nonce") } ?? .zero
            if let code = object["bytecode"] {
                guard let text = code as? String else { throw .invalidField(path: "\(here).bytecode", reason: "expected a hex string") }
                // An empty string means no code; "0x" is empty code, hashed like any code.
                if !text.isEmpty {
                    do { account.bytecode = try Hex.decode(text, padOddLength: true) } catch {
                        throw .invalidField(path: "\(here).bytecode", reason: "\(error)")
                    }
                }
            }
            if let storage = object["storage"] {
                guard let slots = storage as? [String: Any] else {
                    throw .invalidField(path: "\(here).storage", reason: "expected an object of slot -> value")
                }
                for (slotText, value) in slots {
                    let slot = try number(slotText, path: "\(here).storage.\(slotText)")
                    guard account.storage[slot] == nil else {
                        throw .invalidField(path: "\(here).storage.\(slotText)", reason: "slot \(slot) is given twice")
                    }
                    account.storage[slot] = try number(value, path: "\(here).storage.\(slotText)")
                }
            }
            accounts.append(account)
        }
        return accounts
    }

    /// A 256-bit number from a decimal or 0x-hex string, or a JSON integer.
    public static func number(_ value: Any, path: String) throws(StateError) -> UInt256 {
        if let text = value as? String {
            do { return try UInt256(parsing: text) } catch { throw .invalidField(path: path, reason: "'\(text)': \(error)") }
        }
        // JSON integers are accepted too; JSON booleans (NSNumber of type 'c' or 'B') are not.
        if let n = value as? NSNumber, !["c", "B"].contains(String(cString: n.objCType)),
           n.stringValue.allSatisfy(\.isWholeNumber), let parsed = try? UInt256(decimal: Substring(n.stringValue)) {
            return parsed
        }
        throw .invalidField(path: path, reason: "expected a decimal or 0x-hex string")
    }

    /// A root given as 0x + 64 hex digits or as a decimal scalar.
    public static func digest(_ value: Any, path: String) throws(StateError) -> NodeHash {
        let n = try number(value, path: path)
        do { return try Digest(scalar: n) } catch { throw .invalidField(path: path, reason: "\(error)") }
    }

    private static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}

import Foundation
import Goldilocks
import Poseidon
import SMT
import Testing
import TestSupport
import ZKEVMState

private struct KeyVector: Decodable {
    let leafType: UInt64
    let ethAddr: String
    let storagePosition: String?
    let expectedKey: String
}

@Suite("Account layer: public vectors")
struct StateVectorTests {
    @Test(arguments: ["smt-key-eth-balance.json", "smt-key-eth-nonce.json", "smt-key-contract-code.json",
                      "smt-key-contract-storage.json", "smt-key-contract-length.json"])
    func keyDerivation(file: String) throws {
        let vectors = try Vectors.load([KeyVector].self, "state-tree/\(file)")
        #expect(vectors.count >= 6)
        for v in vectors {
            let type = try #require(LeafType(rawValue: v.leafType))
            let slot = try v.storagePosition.map { try UInt256(parsing: $0) } ?? .zero
            let key = StateKey.key(type, try Address(hex: v.ethAddr), slot: slot)
            #expect(key.scalar.description == v.expectedKey, "\(file): \(v.ethAddr) type \(v.leafType)")
        }
    }

    @Test(arguments: ["smt-genesis.json", "smt-full-genesis.json", "mainnet-genesis.json"])
    func genesisRoots(file: String) throws {
        let all = try Genesis.parse(Vectors.data("state-tree/\(file)"))
        #expect(!all.isEmpty)
        for (i, genesis) in all.enumerated() {
            let expected = try #require(genesis.expectedRoot, "\(file)[\(i)] states a root")
            // setMany, and the same writes one set at a time, both land on the file's root.
            let state = ZKEVMState(tree: SparseMerkleTree())
            #expect(try state.write(genesis.accounts) == expected, "\(file)[\(i)]: setMany")
            var root = NodeHash.zero
            for (key, value) in genesis.accounts.flatMap(\.writes) {
                root = try state.tree.set(root: root, key: key, value: value).newRoot
            }
            #expect(root == expected, "\(file)[\(i)]: one by one")
            // Every written leaf reads back (a file may list an address twice: the last write wins).
            var expectedLeaves: [SMTKey: UInt256] = [:]
            for (key, value) in genesis.accounts.flatMap(\.writes) { expectedLeaves[key] = value }
            for (key, value) in expectedLeaves {
                #expect(try state.tree.get(root: expected, key: key).value == value, "\(file)[\(i)]: \(key)")
            }
            let last = Dictionary(genesis.accounts.map { ($0.address, $0) }, uniquingKeysWith: { $1 })
            for account in last.values {
                let read = try state.account(root: expected, account.address)
                #expect(read.balance == account.balance && read.nonce == account.nonce)
            }
        }
    }

    @Test func genesisErrorsNameTheField() throws {
        func reason(_ json: String) -> String {
            do { _ = try Genesis.parse(Data(json.utf8)); return "" } catch { return "\(error)" }
        }
        #expect(reason(#"{"genesis": [{"address": "0x12", "balance": "1"}]}"#).hasPrefix("$.genesis[0].address"))
        #expect(reason(#"{"genesis": [{"address": "0x0000000000000000000000000000000000000001", "balance": "1x"}]}"#)
            .hasPrefix("$.genesis[0].balance"))
        #expect(reason(#"{"addresses": [{"address": "0x0000000000000000000000000000000000000001", "storage": {"0x1": "zz"}}]}"#)
            .hasPrefix("$.addresses[0].storage.0x1"))
        #expect(reason("{").hasPrefix("$: not valid JSON"))
        #expect(reason(#"{"other": 1}"#).hasPrefix("$:"))
    }

    @Test func addressParsing() throws {
        let a = try Address(hex: "0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFFf")
        #expect(a.scalar == UInt256(.max, .max, 0xFFFF_FFFF, 0))
        #expect(try Address(hex: "00000000000000000000000000000000000000ff").scalar == UInt256(255))
        #expect(throws: StateError.self) { try Address(hex: "0x1234") }
        #expect(throws: StateError.self) { try Address(hex: "0x" + String(repeating: "g", count: 40)) }
    }
}

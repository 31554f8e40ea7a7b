import Foundation
import Goldilocks
import SMT
import Testing
import TestSupport

private struct RawCase: Decodable {
    let keys: [String]
    let values: [String]
    let expectedRoot: String
}

private struct UnitCases: Decodable {
    struct Case: Decodable {
        let name: String
        let keyEncoding: String
        let steps: [Step]
    }
    struct Step: Decodable {
        let key: KeyText
        let value: String
        let expectedRoot: String?
        let expectedMode: SetMode?
    }
    enum KeyText: Decodable {
        case scalar(String)
        case limbs([String])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .scalar(s) } else { self = .limbs(try c.decode([String].self)) }
        }
    }
    let cases: [Case]
}

@Suite("State tree: public vectors")
struct VectorTests {
    @Test func smtRaw() throws {
        let cases = try Vectors.load([RawCase].self, "state-tree/smt-raw.json")
        #expect(cases.count == 23)
        for (n, c) in cases.enumerated() {
            let tree = SparseMerkleTree()
            var root = NodeHash.zero
            var writes: [(SMTKey, UInt256)] = []
            for (k, v) in zip(c.keys, c.values) {
                let key = try Digest(scalar: UInt256(parsing: k))
                let value = try UInt256(parsing: v)
                root = try tree.set(root: root, key: key, value: value).newRoot
                writes.append((key, value))
            }
            #expect(root.hexString == c.expectedRoot, "case \(n): one by one")
            let batched = try SparseMerkleTree().setMany(root: .zero, writes)
            #expect(batched.hexString == c.expectedRoot, "case \(n): setMany")
        }
    }

    @Test func unitCases() throws {
        let file = try Vectors.load(UnitCases.self, "state-tree/smt-unit-cases.json")
        #expect(file.cases.count == 9)
        var checkedModes = 0, checkedRoots = 0
        for c in file.cases {
            let tree = SparseMerkleTree()
            var root = NodeHash.zero
            for (i, step) in c.steps.enumerated() {
                let key: SMTKey
                switch step.key {
                case let .scalar(s):
                    #expect(c.keyEncoding == "scalar2key")
                    key = scalar2key(try UInt256(parsing: s))
                case let .limbs(l):
                    key = try Digest(elements: l.map { try FieldElement(parsing: $0) })
                }
                let result = try tree.set(root: root, key: key, value: UInt256(parsing: step.value))
                root = result.newRoot
                if let mode = step.expectedMode {
                    #expect(result.mode == mode, "\(c.name) step \(i)")
                    checkedModes += 1
                }
                if let expected = step.expectedRoot {
                    #expect(root.hexString == expected, "\(c.name) step \(i)")
                    checkedRoots += 1
                }
            }
        }
        #expect(checkedModes > 10 && checkedRoots > 10)
    }
}

import Foundation
import Goldilocks
import Poseidon
import Testing
import TestSupport

private struct PoseidonVectors: Decodable {
    struct Related: Decodable { let value: String }
    struct Case: Decodable {
        let name: String
        let input: [String]
        let output: [String]
        let fullOutput: [String]?
    }
    let relatedConstant: Related
    let cases: [Case]
}

private struct BytecodeVector: Decodable {
    let bytecode: String
    let expectedHash: String
}

private func elements(_ strings: [String]) throws -> [FieldElement] {
    try strings.map { try FieldElement(parsing: $0) }
}

@Suite("Poseidon")
struct PoseidonTests {
    @Test func publicVectors() throws {
        let vectors = try Vectors.load(PoseidonVectors.self, "state-tree/poseidon.json")
        #expect(vectors.cases.count == 4)
        for c in vectors.cases {
            let input = try elements(c.input)
            let expected = try elements(c.output)
            let fast = Poseidon.hash(FieldElements8 { input[$0] }, capacity: Digest(input[8], input[9], input[10], input[11]))
            #expect(fast.elements == expected, "\(c.name): fast form")
            #expect(Array(PlainPoseidon.permute(input).prefix(4)) == expected, "\(c.name): plain form")
            if let full = c.fullOutput {
                #expect(try Poseidon.permutation(input) == (try elements(full)), "\(c.name): full state")
            }
        }
        let zeros = Poseidon.hash(FieldElements8(repeating: .zero))
        #expect(zeros.hexString == vectors.relatedConstant.value)
    }

    @Test func fastFormEqualsPlainFormOnRandomStates() throws {
        var rng = SplitMix64(seed: 0x9053)
        for _ in 0..<500 {
            let state = (0..<12).map { _ in
                // Mostly uniform, sometimes p - small or small, to reach the reductions' edges.
                switch rng.next() % 4 {
                case 0: return FieldElement(canonical: FieldElement.order - 1 - rng.next() % 16)
                case 1: return FieldElement(canonical: rng.next() % 16)
                default: return FieldElement(reducing: rng.next())
                }
            }
            #expect(try Poseidon.permutation(state) == PlainPoseidon.permute(state), "seed \(rng.seed)")
        }
    }

    /// `permute` takes any 64-bit representatives (p, 2^64 - 1, …), not only canonical words.
    @Test func permuteAcceptsLooseWords() {
        var rng = SplitMix64(seed: 0x100E)
        let edges: [UInt64] = [0, 1, FieldElement.order - 1, FieldElement.order, FieldElement.order + 1,
                               UInt64.max, UInt64.max - 1, 1 << 63, (1 << 32) - 1, 1 << 32]
        for _ in 0..<300 {
            var raw = Poseidon.State { _ in rng.next() % 2 == 0 ? edges[Int(rng.next() % UInt64(edges.count))] : rng.next() }
            let reduced = (0..<12).map { FieldElement(reducing: raw[$0]) }
            Poseidon.permute(&raw)
            let out = (0..<12).map { FieldElement(reducing: raw[$0]) }
            #expect(out == PlainPoseidon.permute(reduced), "seed \(rng.seed)")
        }
    }

    @Test func permutationRejectsAWrongStateSize() {
        #expect(throws: ConversionError.wrongCount(expected: 12, found: 11)) {
            try Poseidon.permutation([FieldElement](repeating: .zero, count: 11))
        }
    }

    @Test func twoDigestFormEqualsEightElementForm() {
        let l = Digest(canonical: 1, 2, 3, 4), r = Digest(canonical: 5, 6, 7, 8), c = Digest(canonical: 9, 10, 11, 12)
        let eight = FieldElements8 { FieldElement(canonical: UInt64($0 + 1)) }
        #expect(Poseidon.hash(l, r, capacity: c) == Poseidon.hash(eight, capacity: c))
        #expect(Poseidon.hashValue(UInt256(1, 2, 3, 4)) == Poseidon.hash(UInt256(1, 2, 3, 4).u32Limbs))
    }

    @Test func bytecodeVectors() throws {
        let vectors = try Vectors.load([BytecodeVector].self, "state-tree/smt-hash-bytecode.json")
        #expect(vectors.count == 13)
        for v in vectors {
            #expect(try Poseidon.hashBytecode(hex: v.bytecode).hexString == v.expectedHash, "\(v.bytecode.prefix(16))…")
        }
    }

    /// The padding rule written out directly (spec §9), on lengths around the 56-byte blocks.
    @Test func bytecodePaddingMatchesTheRule() {
        var rng = SplitMix64(seed: 0xB17E)
        for length in [0, 1, 54, 55, 56, 57, 111, 112, 113, 500] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var padded = bytes + [0x01]
            while padded.count % 56 != 0 { padded.append(0) }
            padded[padded.count - 1] |= 0x80
            var h = Digest.zero
            for block in stride(from: 0, to: padded.count, by: 56) {
                let input = FieldElements8 { e in
                    FieldElement(canonical: (0..<7).reduce(UInt64(0)) { $0 | UInt64(padded[block + 7 * e + $1]) << (8 * $1) })
                }
                var state = (0..<8).map { input[$0] } + h.elements
                state = PlainPoseidon.permute(state)
                h = Digest(state[0], state[1], state[2], state[3])
            }
            #expect(Poseidon.hashBytecode(bytes) == h, "length \(length), seed \(rng.seed)")
        }
    }

    @Test func bytecodeOddHexIsLeftPadded() throws {
        #expect(try Poseidon.hashBytecode(hex: "0xabc") == Poseidon.hashBytecode([0x0A, 0xBC]))
        #expect(throws: ConversionError.self) { try Poseidon.hashBytecode(hex: "0xzz") }
    }
}

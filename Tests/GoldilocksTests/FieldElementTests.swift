import BigInt
import Goldilocks
import Testing
import TestSupport

private let p = BigUInt(FieldElement.order)

/// Values where carries, borrows and reductions change behaviour.
private let edgeValues: [UInt64] = [
    0, 1, 2, FieldElement.order - 1, FieldElement.order - 2,
    1 << 32, (1 << 32) - 1, (1 << 32) + 1, UInt64.max % FieldElement.order,  // 2^64 - 1 reduced
    1 << 63, (1 << 63) - 1, FieldElement.epsilon * FieldElement.epsilon % FieldElement.order,
    0xFFFF_FFFF_0000_0000, 0xFFFF_FFFE_FFFF_FFFF, 0x0000_0001_FFFF_FFFF,
]

private func randomValues(_ count: Int, _ rng: inout SplitMix64) -> [UInt64] {
    edgeValues + (0..<count).map { i in
        // Mix uniform values with values near the boundaries of each 32-bit half.
        switch i % 4 {
        case 0: return rng.next() % FieldElement.order
        case 1: return FieldElement.order - 1 - rng.next() % 1024
        case 2: return (rng.next() % 1024) << 32 | (0xFFFF_FFFF - rng.next() % 1024)
        default: return rng.next() & 0xFFFF_FFFF
        }
    }
}

@Suite("Goldilocks field against arbitrary precision")
struct FieldElementTests {
    @Test func constructionRejectsNonCanonical() {
        #expect(FieldElement(FieldElement.order) == nil)
        #expect(FieldElement(UInt64.max) == nil)
        #expect(FieldElement(FieldElement.order - 1)?.value == FieldElement.order - 1)
        #expect(FieldElement(reducing: FieldElement.order).value == 0)
        #expect(FieldElement(reducing: UInt64.max).value == (1 << 32) - 2)
    }

    @Test func arithmeticMatchesBigInt() {
        var rng = SplitMix64(seed: 0xF1E1D)
        let values = randomValues(3000, &rng)
        for (i, a) in values.enumerated() {
            // Pair every value with an edge value and with a random partner.
            for b in [edgeValues[i % edgeValues.count], values[Int(rng.next() % UInt64(values.count))]] {
                let fa = FieldElement(a)!, fb = FieldElement(b)!
                let ba = BigUInt(a), bb = BigUInt(b)
                #expect(BigUInt((fa + fb).value) == (ba + bb) % p, "seed \(rng.seed): \(a) + \(b)")
                #expect(BigUInt((fa - fb).value) == (ba + p - bb) % p, "seed \(rng.seed): \(a) - \(b)")
                #expect(BigUInt((fa * fb).value) == (ba * bb) % p, "seed \(rng.seed): \(a) * \(b)")
            }
            let fa = FieldElement(a)!
            #expect(BigUInt((-fa).value) == (p - BigUInt(a)) % p)
            #expect(BigUInt(fa.squared().value) == BigUInt(a).power(2, modulus: p))
            let e = rng.next()
            #expect(BigUInt(fa.power(e).value) == BigUInt(a).power(BigUInt(e), modulus: p), "seed \(rng.seed): \(a)^\(e)")
            if a != 0 {
                let inv = fa.inverse()!
                #expect((fa * inv) == .one, "seed \(rng.seed): inverse of \(a)")
            } else {
                #expect(fa.inverse() == nil)
            }
        }
    }

    @Test func rawKernelsAcceptAnyRepresentative() {
        var rng = SplitMix64(seed: 0x5EED)
        let raw: [UInt64] = [0, 1, UInt64.max, UInt64.max - 1, FieldElement.order, FieldElement.order + 1,
                             1 << 63, FieldElement.epsilon] + (0..<3000).map { _ in rng.next() }
        for a in raw {
            let b = raw[Int(rng.next() % UInt64(raw.count))]
            let product = FieldElement.canonicalize(FieldElement.mulLoose(a, b))
            #expect(BigUInt(product) == BigUInt(a) * BigUInt(b) % p, "seed \(rng.seed): \(a) * \(b)")
            let (hi, lo) = (rng.next(), rng.next())
            let reduced = FieldElement.canonicalize(FieldElement.reduce128(hi: hi, lo: lo))
            #expect(BigUInt(reduced) == (BigUInt(hi) << 64 + BigUInt(lo)) % p, "seed \(rng.seed): reduce \(hi):\(lo)")
            let c = b % FieldElement.order
            let sum = FieldElement.canonicalize(FieldElement.addLoose(a, canonical: c))
            #expect(BigUInt(sum) == (BigUInt(a) + BigUInt(c)) % p, "seed \(rng.seed): \(a) + \(c)")
        }
    }

    @Test func textForms() throws {
        #expect(try FieldElement(parsing: "18446744069414584320").value == FieldElement.order - 1)
        #expect(try FieldElement(parsing: "0xffffffff00000000").value == FieldElement.order - 1)
        #expect(try FieldElement(parsing: "007").value == 7)
        #expect(throws: ConversionError.self) { try FieldElement(parsing: "18446744069414584321") }
        #expect(throws: ConversionError.self) { try FieldElement(parsing: "0xffffffff00000001") }
        #expect(throws: ConversionError.self) { try FieldElement(parsing: "12a") }
        #expect(throws: ConversionError.self) { try FieldElement(parsing: "") }
        #expect(throws: ConversionError.self) { try FieldElement(parsing: "-1") }
        #expect(FieldElement(canonical: 255).hexString == "0x00000000000000ff")
        #expect(FieldElement(canonical: 255).description == "255")
    }
}

import BigInt
import Goldilocks
import Testing
import TestSupport

private func big(_ n: UInt256) -> BigUInt {
    (0..<4).reduce(BigUInt(0)) { $0 + BigUInt(n[word: $1]) << (64 * $1) }
}

private func randomScalar(_ rng: inout SplitMix64) -> UInt256 {
    // Random words, with some words forced to 0 or all-ones to reach the edges.
    var n = UInt256(rng.next(), rng.next(), rng.next(), rng.next())
    for i in 0..<4 {
        switch rng.next() % 5 {
        case 0: n[word: i] = 0
        case 1: n[word: i] = .max
        default: break
        }
    }
    return n
}

@Suite("256-bit scalars and limb splits (scalar2fea, fea2scalar, h4toString, stringToH4)")
struct ScalarConversionTests {
    @Test func decimalAndHexRoundTripAgainstBigInt() throws {
        var rng = SplitMix64(seed: 0xDEC1)
        for _ in 0..<2000 {
            let n = randomScalar(&rng)
            let b = big(n)
            #expect(n.description == String(b), "seed \(rng.seed)")
            let hex = String(b, radix: 16)
            #expect(n.hexString == "0x" + String(repeating: "0", count: 64 - hex.count) + hex, "seed \(rng.seed)")
            #expect(try UInt256(parsing: n.description) == n)
            #expect(try UInt256(parsing: n.hexString) == n)
            #expect(try UInt256(parsing: "0x" + hex.uppercased()) == n)
        }
    }

    @Test func parsingBoundsAndErrors() throws {
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        #expect(try UInt256(parsing: max) == .max)
        #expect(try UInt256(parsing: "09987") == UInt256(9987))  // leading zero is decimal, not octal
        #expect(try UInt256(parsing: "0x" + String(repeating: "0", count: 70) + "1") == UInt256(1))
        #expect(throws: ConversionError.self) { try UInt256(parsing: "115792089237316195423570985008687907853269984665640564039457584007913129639936") }
        #expect(throws: ConversionError.self) { try UInt256(parsing: "0x1" + String(repeating: "0", count: 64)) }
        #expect(throws: ConversionError.self) { try UInt256(parsing: "0x") }
        #expect(throws: ConversionError.self) { try UInt256(parsing: "0xg1") }
        #expect(throws: ConversionError.self) { try UInt256(parsing: "1e5") }
    }

    @Test func scalar2feaSplitsLittleEndian32BitLimbs() throws {
        var rng = SplitMix64(seed: 0xFEA)
        for _ in 0..<2000 {
            let n = randomScalar(&rng)
            let limbs = n.u32Limbs
            for k in 0..<8 {
                #expect(BigUInt(limbs[k].value) == (big(n) >> (32 * k)) & BigUInt(0xFFFF_FFFF), "seed \(rng.seed)")
            }
            #expect(try UInt256(u32Limbs: limbs) == n)
        }
    }

    @Test func fea2scalarRejectsWideLimbs() {
        var limbs = UInt256(5).u32Limbs
        limbs[3] = FieldElement(canonical: 1 << 32)
        #expect(throws: ConversionError.limbNotU32(index: 3, value: 1 << 32)) { try UInt256(u32Limbs: limbs) }
        #expect(throws: ConversionError.self) { try UInt256(u32Limbs: [FieldElement.one]) }
    }

    @Test func h4StringPutsLimb3First() throws {
        let d = Digest(canonical: 1, 2, 3, 4)
        #expect(d.hexString == "0x" + "0000000000000004" + "0000000000000003" + "0000000000000002" + "0000000000000001")
        #expect(d.unprefixedHex == String(d.hexString.dropFirst(2)))
        #expect(try Digest(hexString: d.hexString) == d)
        #expect(Digest(canonical: 1, 0, 0, 0).hexString == "0x" + String(repeating: "0", count: 63) + "1")
        var rng = SplitMix64(seed: 0x44)
        for _ in 0..<2000 {
            let d = Digest(canonical: rng.next() % FieldElement.order, rng.next() % FieldElement.order,
                           rng.next() % FieldElement.order, rng.next() % FieldElement.order)
            let b = (0..<4).reduce(BigUInt(0)) { $0 + BigUInt(d[$1].value) << (64 * $1) }
            #expect(big(d.scalar) == b)
            #expect(try Digest(hexString: d.hexString) == d)
            #expect(try Digest(scalar: d.scalar) == d)
        }
    }

    @Test func stringToH4IsStrict() {
        let ok = "0x" + String(repeating: "0", count: 64)
        #expect(throws: ConversionError.missingHexPrefix) { try Digest(hexString: String(ok.dropFirst(2))) }
        #expect(throws: ConversionError.wrongDigitCount(expected: 64, found: 63)) { try Digest(hexString: String(ok.dropLast())) }
        // Limb 0 = p is not canonical.
        let bad = "0x" + String(repeating: "0", count: 48) + "ffffffff00000001"
        #expect(throws: ConversionError.limbNotCanonical(index: 0, value: FieldElement.order)) { try Digest(hexString: bad) }
        #expect(throws: ConversionError.self) { try Digest(hexString: "0x" + String(repeating: "z", count: 64)) }
    }

    @Test func hexBytes() throws {
        #expect(try Hex.decode("0xDEad") == [0xDE, 0xAD])
        #expect(try Hex.decode("dead\n") == [0xDE, 0xAD])
        #expect(try Hex.decode("") == [])
        #expect(throws: ConversionError.oddDigitCount(3)) { try Hex.decode("abc") }
        #expect(try Hex.decode("abc", padOddLength: true) == [0x0A, 0xBC])
        #expect(throws: ConversionError.self) { try Hex.decode("zz") }
        #expect(Hex.encode([0x00, 0xff]) == "0x00ff")
    }
}

import Goldilocks
import Poseidon

/// The Poseidon permutation computed round by round (spec storage-sm §8, `poseidong.pil`):
/// `states(of:)[r]` is the state entering round r, `[30]` the output. Slower than
/// ``Poseidon/permute(_:)`` but keeps every intermediate state, which PoseidonG commits.
public enum PoseidonRounds {
    /// Round constants, `roundConstants[r][k]`.
    @usableFromInline
    static let roundConstants: [[FieldElement]] =
        (0..<PoseidonParameters.rounds).map { PoseidonParameters.roundConstants(of: $0) }
    /// The MDS matrix as field elements.
    static let mds: [[FieldElement]] =
        PoseidonParameters.mdsMatrix.map { $0.map { FieldElement(reducing: $0) } }

    /// Whether round `r` is partial (S-box on element 0 only): rounds 4 ..< 26.
    @inlinable
    public static func isPartial(_ r: Int) -> Bool {
        r >= PoseidonParameters.fullRounds / 2
            && r < PoseidonParameters.fullRounds / 2 + PoseidonParameters.partialRounds
    }

    /// The 31 states of the permutation of `input` (12 elements): the input, then the state
    /// after each of the 30 rounds (`s += C[r]`; S-box x^7; `s = M·s`).
    public static func states(of input: [FieldElement]) -> [[FieldElement]] {
        precondition(input.count == PoseidonParameters.width, "the Poseidon state has 12 elements")
        var states = [input]
        states.reserveCapacity(PoseidonParameters.rounds + 1)
        var s = input
        for r in 0..<PoseidonParameters.rounds {
            let c = roundConstants[r]
            for k in 0..<12 { s[k] += c[k] }
            if isPartial(r) {
                s[0] = sbox(s[0])
            } else {
                for k in 0..<12 { s[k] = sbox(s[k]) }
            }
            var t = [FieldElement](repeating: .zero, count: 12)
            for i in 0..<12 {
                var acc = FieldElement.zero
                for j in 0..<12 { acc += mds[i][j] * s[j] }
                t[i] = acc
            }
            s = t
            states.append(s)
        }
        return states
    }

    /// Round constants flat, `[12·r + k]`, canonical.
    @usableFromInline
    static let flatRoundConstants: [UInt64] = roundConstants.flatMap { $0.map(\.value) }
    /// The MDS matrix flat, `[12·i + j]`, small integers (< 2^7).
    @usableFromInline
    static let flatMDS: [UInt64] = PoseidonParameters.mdsMatrix.flatMap { $0 }

    /// Fills `states[12·(r+1) ..< 12·(r+2)]` with the state after round r, for r = 0 ..< 30,
    /// from the input in `states[0 ..< 12]` (canonical values): the same permutation as
    /// ``states(of:)`` without allocating. The MDS rows are small integers, so each output is
    /// one 128-bit sum of 12 products, reduced once.
    @inlinable
    public static func fill(states: UnsafeMutablePointer<UInt64>) {
        flatRoundConstants.withUnsafeBufferPointer { c in
            flatMDS.withUnsafeBufferPointer { m in
                var t = InlineArray<12, UInt64>(repeating: 0)
                for r in 0..<PoseidonParameters.rounds {
                    let input = states + 12 * r, output = states + 12 * (r + 1)
                    for k in 0..<12 { t[k] = (FieldElement(canonical: input[k]) + FieldElement(canonical: c[12 * r + k])).value }
                    if isPartial(r) {
                        t[0] = sbox(FieldElement(canonical: t[0])).value
                    } else {
                        for k in 0..<12 { t[k] = sbox(FieldElement(canonical: t[k])).value }
                    }
                    for i in 0..<12 {
                        var hi: UInt64 = 0, lo: UInt64 = 0
                        for j in 0..<12 {
                            let (ph, pl) = t[j].multipliedFullWidth(by: m[12 * i + j])
                            let (sum, carry) = lo.addingReportingOverflow(pl)
                            lo = sum
                            hi &+= ph &+ (carry ? 1 : 0)
                        }
                        output[i] = FieldElement.canonicalize(FieldElement.reduce128(hi: hi, lo: lo))
                    }
                }
            }
        }
    }

    /// x^7.
    @usableFromInline
    static func sbox(_ x: FieldElement) -> FieldElement {
        let x2 = x * x
        let x4 = x2 * x2
        return x4 * x2 * x
    }
}

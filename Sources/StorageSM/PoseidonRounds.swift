import Goldilocks
import Poseidon

/// The Poseidon permutation computed round by round (spec storage-sm §8, `poseidong.pil`):
/// `states(of:)[r]` is the state entering round r, `[30]` the output. Slower than
/// ``Poseidon/permute(_:)`` but keeps every intermediate state, which PoseidonG commits.
public enum PoseidonRounds {
    /// Round constants, `roundConstants[r][k]`.
    static let roundConstants: [[FieldElement]] =
        (0..<PoseidonParameters.rounds).map { PoseidonParameters.roundConstants(of: $0) }
    /// The MDS matrix as field elements.
    static let mds: [[FieldElement]] =
        PoseidonParameters.mdsMatrix.map { $0.map { FieldElement(reducing: $0) } }

    /// Whether round `r` is partial (S-box on element 0 only): rounds 4 ..< 26.
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

    /// x^7.
    static func sbox(_ x: FieldElement) -> FieldElement {
        let x2 = x * x
        let x4 = x2 * x2
        return x4 * x2 * x
    }
}

import Goldilocks
import Poseidon

/// The textbook permutation (spec state-tree §2.1): add the round constants, S-box, dense MDS,
/// 30 times. Slow and obvious on purpose: it is the independent form the fast one is checked
/// against.
enum PlainPoseidon {
    static func permute(_ state: [FieldElement]) -> [FieldElement] {
        let m = PoseidonParameters.mdsMatrix.map { $0.map { FieldElement(reducing: $0) } }
        var s = state
        for r in 0..<PoseidonParameters.rounds {
            let c = PoseidonParameters.roundConstants(of: r)
            s = zip(s, c).map { $0 + $1 }
            let isFull = r < 4 || r >= 26
            for i in 0..<(isFull ? 12 : 1) { s[i] = s[i].power(7) }
            s = (0..<12).map { i in (0..<12).reduce(FieldElement.zero) { $0 + m[i][$1] * s[$1] } }
        }
        return s
    }
}

import Goldilocks

/// Round constants of the fast permutation, derived once from the plain ones.
///
/// Two rewrites, neither of which changes a single output bit:
///
/// 1. **Constants forward.** In a partial round only `s[0]` goes through the S-box, so the
///    constants of elements 1…11 can be carried through the MDS into the next round:
///    `M·S(s + c) = M·S(s + c₀e₀) + M·(c - c₀e₀)`. Each partial round keeps one scalar
///    constant; what is carried past the last one is added to the constants of round 26.
/// 2. **Constants early.** Every round's constants are added at the end of the round before it,
///    to the split MDS output (as 32-bit halves, before its reduction: see `Poseidon.mds`), or
///    to the not yet reduced `s[0]` of a partial round. Only round 0 adds its constants to
///    the input words.
@usableFromInline
final class FastConstants: @unchecked Sendable {  // immutable after init
    /// Round 0's constants, canonical.
    @usableFromInline let first: UnsafeMutablePointer<UInt64>
    /// For each of the 8 full rounds, the 12 constants of the round after it, as
    /// `(low half, high half)`: of the next full round, of the first partial round (only
    /// element 0 is non-zero) after round 3, and zero after round 7.
    @usableFromInline let afterFull: UnsafeMutablePointer<SIMD2<UInt64>>
    /// For each of the 22 partial rounds, the `s[0]` constant of the round after it, split:
    /// of the next partial round, or element 0 of round 26 after the last one.
    @usableFromInline let afterPartial: UnsafeMutablePointer<SIMD2<UInt64>>
    /// The constants of round 26 (the first full round after the partial ones), split; added to
    /// elements 1…11 after the last partial round (element 0 is `afterPartial[21]`).
    @usableFromInline let secondHalf: UnsafeMutablePointer<SIMD2<UInt64>>

    @usableFromInline static let shared = FastConstants()

    private init() {
        typealias F = FieldElement
        let m = PoseidonParameters.mdsMatrix.map { $0.map { F(reducing: $0) } }
        let half = PoseidonParameters.fullRounds / 2
        let partialCount = PoseidonParameters.partialRounds

        // 1. Constants forward.
        var partial = [F]()
        var carry = [F](repeating: .zero, count: 12)
        for r in 0..<partialCount {
            let c = zip(PoseidonParameters.roundConstants(of: half + r), carry).map { $0 + $1 }
            partial.append(c[0])
            let rest = [F.zero] + c[1...]
            carry = (0..<12).map { i in (0..<12).reduce(F.zero) { $0 + m[i][$1] * rest[$1] } }
        }
        // Full rounds 0…3, then 26…29 (round 26 takes what is carried past the partial rounds).
        let full: [[F]] = (0..<2 * half).map { r in
            if r < half { return PoseidonParameters.roundConstants(of: r) }
            let c = PoseidonParameters.roundConstants(of: partialCount + r)
            return r == half ? zip(c, carry).map { $0 + $1 } : c
        }

        // 2. Constants early.
        func split(_ c: F) -> SIMD2<UInt64> { SIMD2(c.value & 0xFFFF_FFFF, c.value >> 32) }
        first = .allocate(capacity: 12)
        afterFull = .allocate(capacity: 8 * 12)
        afterPartial = .allocate(capacity: partialCount)
        secondHalf = .allocate(capacity: 12)
        for i in 0..<12 {
            first[i] = full[0][i].value
            secondHalf[i] = split(full[half][i])
        }
        for r in 0..<2 * half {
            for i in 0..<12 {
                let next: F = switch r {
                case half - 1: i == 0 ? partial[0] : .zero
                case 2 * half - 1: .zero
                default: full[r + 1][i]
                }
                afterFull[12 * r + i] = split(next)
            }
        }
        for r in 0..<partialCount {
            afterPartial[r] = split(r + 1 < partialCount ? partial[r + 1] : full[half][0])
        }

        // The MDS layer is derived by hand from this matrix (`Poseidon+MDS.swift`); both it and
        // the row-0 split of the partial rounds are linear, so unit vectors check them fully.
        let matrix = PoseidonParameters.mdsMatrix
        precondition(matrix[0][0] == 25, "Poseidon.partialRounds assumes M[0][0] = 25")
        for j in 0..<12 {
            var unit = Lanes12(pairs: 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            unit[j] = SIMD2(1, 1)
            let tail = Poseidon.rowZeroTail(unit)
            Poseidon.mds(&unit)
            for i in 0..<12 {
                precondition(unit[i] == SIMD2(repeating: matrix[i][j]), "Poseidon.mds does not match the MDS matrix")
            }
            precondition(tail == SIMD2(repeating: j == 0 ? 0 : matrix[0][j]), "Poseidon.rowZeroTail does not match row 0")
        }
    }
}

import Goldilocks

/// Constants of the fast form of the permutation, derived once from the plain ones.
///
/// Two algebraic rewrites, neither of which changes a single output bit:
///
/// 1. **Constants forward.** In a partial round only `s[0]` goes through the S-box, so the
///    constants of elements 1…11 can be carried through the MDS into the next round:
///    `M·S(s + c) = M·S(s + c₀e₀) + M·(c - c₀e₀)`. Each partial round keeps one scalar
///    constant; what is carried past the last one is added to the constants of round 26.
/// 2. **Sparse MDS** (Poseidon paper, appendix B). Write a matrix as
///    `X = [[x₀₀, xᵀ], [y, X̂]] = [[x₀₀, ŵᵀ], [y, I]] · diag(1, X̂)` with `ŵ = X̂⁻ᵀ x`.
///    `diag(1, X̂)` leaves `s[0]` alone, so it commutes with a partial round's S-box and moves
///    into the previous round's MDS. Going from the last partial round to the first leaves
///    22 sparse matrices (23 products each instead of 144) and one dense 11 × 11 matrix applied
///    once, between round 3 and the first partial round.
@usableFromInline
final class FastConstants: @unchecked Sendable {  // immutable after init
    /// Rounds 0–3 then 26–29, 12 constants each (round 26 includes the carried constants).
    @usableFromInline let full: UnsafeMutablePointer<UInt64>
    /// One scalar constant per partial round, added to `s[0]`.
    @usableFromInline let partial: UnsafeMutablePointer<UInt64>
    /// `diag(1, D)` applied before the partial rounds: D as 11 × 11, row major.
    @usableFromInline let initialMatrix: UnsafeMutablePointer<UInt64>
    /// Per partial round: `ŵ` (11 values) — first row of the sparse matrix after `x₀₀`.
    @usableFromInline let sparseRow: UnsafeMutablePointer<UInt64>
    /// Per partial round: `y` (11 values) — first column of the sparse matrix below `x₀₀`.
    @usableFromInline let sparseColumn: UnsafeMutablePointer<UInt64>
    /// Per partial round r, the products `ŵ_r · y_t` for t < r (row r starts at r(r-1)/2): how
    /// much the S-box output of round t feeds the new `s[0]` of round r through the column
    /// updates, so those updates need not be applied round by round.
    @usableFromInline let rowColumn: UnsafeMutablePointer<UInt64>
    /// The MDS circulant coefficients (12), then the diagonal term of row 0, each in both lanes.
    @usableFromInline let mdsVectors: UnsafeMutablePointer<SIMD2<UInt64>>
    /// `x₀₀` of every sparse matrix (it is `M[0][0]` for all of them).
    @usableFromInline let sparseCorner: UInt64

    @usableFromInline static let shared = FastConstants()

    private init() {
        typealias F = FieldElement
        let m = PoseidonParameters.mdsMatrix.map { $0.map { F(reducing: $0) } }
        let half = PoseidonParameters.fullRounds / 2
        let partialCount = PoseidonParameters.partialRounds

        full = .allocate(capacity: 8 * 12)
        partial = .allocate(capacity: partialCount)
        initialMatrix = .allocate(capacity: 11 * 11)
        sparseRow = .allocate(capacity: partialCount * 11)
        sparseColumn = .allocate(capacity: partialCount * 11)
        sparseCorner = m[0][0].value
        mdsVectors = .allocate(capacity: 13)
        for k in 0..<12 { mdsVectors[k] = SIMD2(repeating: PoseidonParameters.mdsCirculant[k]) }
        mdsVectors[12] = SIMD2(repeating: PoseidonParameters.mdsDiagonal[0])

        // 1. Constants forward.
        var carry = [F](repeating: .zero, count: 12)
        for r in 0..<partialCount {
            let c = zip(PoseidonParameters.roundConstants(of: half + r), carry).map { $0 + $1 }
            partial[r] = c[0].value
            let rest = [F.zero] + c[1...]
            carry = (0..<12).map { i in (0..<12).reduce(F.zero) { $0 + m[i][$1] * rest[$1] } }
        }
        for r in 0..<half {
            let before = PoseidonParameters.roundConstants(of: r)
            var after = PoseidonParameters.roundConstants(of: half + partialCount + r)
            if r == 0 { after = zip(after, carry).map { $0 + $1 } }
            for i in 0..<12 {
                full[12 * r + i] = before[i].value
                full[12 * (half + r) + i] = after[i].value
            }
        }

        // 2. Sparse factorisation, from the last partial round back to the first.
        var x = m
        var xHat: [[F]] = []
        for r in stride(from: partialCount - 1, through: 0, by: -1) {
            xHat = (1..<12).map { i in Array(x[i][1...]) }
            let transposed = (0..<11).map { i in (0..<11).map { j in xHat[j][i] } }
            let w = FastConstants.solve(transposed, Array(x[0][1...]))
            for i in 0..<11 {
                sparseRow[11 * r + i] = w[i].value
                sparseColumn[11 * r + i] = x[i + 1][0].value
            }
            // X ← diag(1, X̂) · M
            x = (0..<12).map { i in
                i == 0 ? m[0] : (0..<12).map { j in (0..<11).reduce(F.zero) { $0 + xHat[i - 1][$1] * m[$1 + 1][j] } }
            }
        }
        for i in 0..<11 { for j in 0..<11 { initialMatrix[11 * i + j] = xHat[i][j].value } }

        // 3. Lazy column updates: s[1...] after round r is u + Σ_{t<r} y_t·a_t, so the new s[0]
        //    of round r is x₀₀·a_r + ŵ_r·u + Σ_{t<r} (ŵ_r·y_t)·a_t.
        rowColumn = .allocate(capacity: partialCount * (partialCount - 1) / 2)
        for r in 0..<partialCount {
            for t in 0..<r {
                let dot = (0..<11).reduce(F.zero) { acc, i in
                    acc + F(canonical: sparseRow[11 * r + i]) * F(canonical: sparseColumn[11 * t + i])
                }
                rowColumn[r * (r - 1) / 2 + t] = dot.value
            }
        }
    }

    /// Solves `a · z = b` over the field by Gauss–Jordan elimination (`a` is invertible).
    private static func solve(_ a: [[FieldElement]], _ b: [FieldElement]) -> [FieldElement] {
        let n = b.count
        var rows = (0..<n).map { a[$0] + [b[$0]] }
        for col in 0..<n {
            guard let pivot = (col..<n).first(where: { !rows[$0][col].isZero }) else {
                fatalError("Poseidon MDS block is singular; the constants are corrupt")
            }
            rows.swapAt(col, pivot)
            let inv = rows[col][col].inverse()!
            rows[col] = rows[col].map { $0 * inv }
            for r in 0..<n where r != col && !rows[r][col].isZero {
                let f = rows[r][col]
                rows[r] = zip(rows[r], rows[col]).map { $0 - f * $1 }
            }
        }
        return rows.map { $0[n] }
    }
}

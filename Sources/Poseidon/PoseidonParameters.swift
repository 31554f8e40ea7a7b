import Goldilocks

/// The Polygon Hermez Poseidon instance (spec state-tree §2.1), identical to plonky2's
/// Goldilocks Poseidon:
///
/// ```
///  state (12):  [ in0 … in7 | cap0 … cap3 ]      rate 8, capacity 4
///  rounds:      4 full │ 22 partial │ 4 full       S-box x^7
///  round r:     s += C[12r ..< 12r+12];  S-box (all 12, or s[0] only);  s = M · s
///  output:      s[0 ..< 4] after round 29
/// ```
public enum PoseidonParameters {
    /// Elements in the state.
    public static let width = 12
    /// Elements absorbed per permutation.
    public static let rate = 8
    /// Full rounds in total (half before, half after the partial rounds).
    public static let fullRounds = 8
    /// Partial rounds (S-box on element 0 only).
    public static let partialRounds = 22
    /// Rounds in total.
    public static let rounds = fullRounds + partialRounds

    /// The 12 × 12 MDS matrix as small integers: `M[i][j] = circulant[(j - i) mod 12] + diagonal`.
    public static let mdsMatrix: [[UInt64]] = (0..<12).map { i in
        (0..<12).map { j in mdsCirculant[(j - i + 12) % 12] + (i == j ? mdsDiagonal[i] : 0) }
    }

    /// The round constants of round `round` (0 ..< 30), as canonical field elements.
    public static func roundConstants(of round: Int) -> [FieldElement] {
        (0..<12).map { FieldElement(reducing: roundConstants[12 * round + $0]) }
    }
}

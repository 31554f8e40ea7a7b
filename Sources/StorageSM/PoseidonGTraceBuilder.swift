import Goldilocks
import Poseidon

/// Fills the PoseidonG columns from the Storage hash requests (spec storage-sm §5.1, §8; as
/// zkevm-proverjs `sm_poseidong.js`): request j takes rows 31j … 31j+30 — row 31j the input
/// state (in0..in7 = left ‖ right, hashType, cap1..3 = 0) with result3 = 1, rows 31j+1+r the
/// state after round r — and hash0..3 hold the output on all 31 rows. Every row from 31·count
/// on is padding: row p holds state `p mod 31` of the permutation of the zero state, and
/// hash0..3 its output. Only Storage's requests (permutation id 3) are laid out here; Main's
/// and PaddingPG's, which precede them in a full trace, are not part of this machine's input.
public enum PoseidonGTraceBuilder {
    /// Rows per hash: the input row and one row per round.
    public static let rowsPerHash = PoseidonParameters.rounds + 1

    /// Hashes N rows hold: ⌊N/31⌋.
    public static func capacity(rowCount: Int) -> Int { rowCount / rowsPerHash }

    /// The PoseidonG trace of `requests` over `rowCount` rows; `latchRows` (the Storage
    /// latch rows) only name the action in errors.
    public static func trace(requests: [StoragePoseidonRequest], rowCount: Int,
                             latchRows: [Int] = []) throws(MachineTraceError) -> MachineTrace<PoseidonGColumn> {
        let machine = PoseidonGColumn.machineName
        guard rowCount >= 1 else { throw .invalidRowCount(machine: machine, rowCount: rowCount) }
        let capacity = capacity(rowCount: rowCount)
        try MachineTraceError.checkCapacity(machine: machine, requestRows: requests.map(\.row), capacity: capacity,
                                            rowCount: rowCount, latchRows: latchRows)
        var trace = MachineTrace<PoseidonGColumn>(rowCount: rowCount)
        for (j, request) in requests.enumerated() {
            guard request.hashType < FieldElement.order else {
                throw .invalidRequest(machine: machine, request: j,
                                      action: MachineTraceError.action(forStorageRow: request.row, latchRows: latchRows),
                                      storageRow: request.row, field: "hashType",
                                      reason: "\(request.hashType) is not a field element")
            }
            let l = request.left, rt = request.right
            let input: [FieldElement] = [l.e0, l.e1, l.e2, l.e3, rt.e0, rt.e1, rt.e2, rt.e3,
                                         FieldElement(canonical: request.hashType), .zero, .zero, .zero]
            let states = PoseidonRounds.states(of: input)
            let out = states[PoseidonParameters.rounds]
            let result = request.result
            guard out[0] == result.e0, out[1] == result.e1, out[2] == result.e2, out[3] == result.e3 else {
                throw .invalidRequest(machine: machine, request: j,
                                      action: MachineTraceError.action(forStorageRow: request.row, latchRows: latchRows),
                                      storageRow: request.row, field: "result",
                                      reason: "does not equal the permutation of its inputs")
            }
            let base = j * rowsPerHash
            fillBlock(&trace, base: base, rows: 0..<rowsPerHash, states: states)
            trace[.result3, base] = 1
        }
        trace.rowsUsed = requests.count * rowsPerHash
        // Padding: the permutation of the zero state, aligned on row mod 31.
        let zero = PoseidonRounds.states(of: [FieldElement](repeating: .zero, count: 12))
        var p = trace.rowsUsed
        while p < rowCount {
            let n = min(rowsPerHash, rowCount - p)
            fillBlock(&trace, base: p, rows: 0..<n, states: zero)
            p += n
        }
        return trace
    }

    /// Writes rows `base + r` for `r` in `rows` with `states[r]` and the output `states[30]`.
    static func fillBlock(_ trace: inout MachineTrace<PoseidonGColumn>, base: Int, rows: Range<Int>,
                          states: [[FieldElement]]) {
        let out = states[PoseidonParameters.rounds]
        for r in rows {
            let s = states[r]
            for k in 0..<12 { trace[PoseidonGColumn.state(k), base + r] = s[k].value }
            trace[.hash0, base + r] = out[0].value
            trace[.hash1, base + r] = out[1].value
            trace[.hash2, base + r] = out[2].value
            trace[.hash3, base + r] = out[3].value
        }
    }
}

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
        let width = PoseidonParameters.width
        let states = UnsafeMutablePointer<UInt64>.allocate(capacity: rowsPerHash * width)
        defer { states.deallocate() }
        for (j, request) in requests.enumerated() {
            guard request.hashType < FieldElement.order else {
                throw .invalidRequest(machine: machine, request: j,
                                      action: MachineTraceError.action(forStorageRow: request.row, latchRows: latchRows),
                                      storageRow: request.row, field: "hashType",
                                      reason: "\(request.hashType) is not a field element")
            }
            let l = request.left, rt = request.right
            for k in 0..<4 {
                states[k] = l[k].value
                states[4 + k] = rt[k].value
            }
            states[8] = request.hashType
            states[9] = 0
            states[10] = 0
            states[11] = 0
            PoseidonRounds.fill(states: states)
            let out = states + width * PoseidonParameters.rounds
            let result = request.result
            guard out[0] == result.e0.value, out[1] == result.e1.value, out[2] == result.e2.value,
                  out[3] == result.e3.value else {
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
        states.update(repeating: 0, count: width)
        PoseidonRounds.fill(states: states)
        var p = trace.rowsUsed
        while p < rowCount {
            let n = min(rowsPerHash, rowCount - p)
            fillBlock(&trace, base: p, rows: 0..<n, states: states)
            p += n
        }
        return trace
    }

    /// Writes rows `base + r` for `r` in `rows` with state `r` of `states` (12 values per
    /// state, 31 states) and the output, state 30's first four values.
    static func fillBlock(_ trace: inout MachineTrace<PoseidonGColumn>, base: Int, rows: Range<Int>,
                          states: UnsafeMutablePointer<UInt64>) {
        let n = trace.rowCount
        let out = states + 12 * PoseidonParameters.rounds
        trace.values.withUnsafeMutableBufferPointer { values in
            for r in rows {
                let s = states + 12 * r
                for k in 0..<12 { values[k * n + base + r] = s[k] }
                for k in 0..<4 { values[(PoseidonGColumn.hash0.rawValue + k) * n + base + r] = out[k] }
            }
        }
    }
}

import Goldilocks

/// Fills the ClimbKey columns from the Storage climb requests (spec storage-sm §5.2, §7; as
/// zkevm-proverjs `sm_climb_key.js`): request j takes rows 4j … 4j+3 (clock c = 0..3). With
/// z = level mod 4 and x = key[z]: keyInChunk = bits 18c … 18c+17 of x (10 bits on clock 3),
/// keyIn = the chunks so far, carryLt = carry + 2·lt entering the chunk, key0..3 the original
/// key on clocks 0–2 and the climbed key on clock 3, keySel_z = 1 on clock 3, result = 1 on
/// clock 2, level and bit on all four rows. Padding blocks: zero except carryLt = 2 on clocks
/// 1–3 and keySel0 = 1 on clock 3.
public enum ClimbKeyTraceBuilder {
    /// Rows per climb.
    public static let rowsPerClimb = 4
    /// The 18/18/18/10-bit chunks of p.
    static let chunksOfP: [UInt64] = [0x00001, 0x3C000, 0x3FFFF, 0x003FF]
    /// Chunk masks per clock.
    static let chunkMasks: [UInt64] = [0x3FFFF, 0x3FFFF, 0x3FFFF, 0x3FF]
    /// Levels the lookup lists (T_LEVEL on clock 3).
    public static let levelCount = 256

    /// Climbs N rows hold: N/4.
    public static func capacity(rowCount: Int) -> Int { rowCount / rowsPerClimb }

    /// The ClimbKey trace of `requests` over `rowCount` rows (a positive multiple of 4);
    /// `latchRows` (the Storage latch rows) only name the action in errors.
    public static func trace(requests: [StorageClimbKeyRequest], rowCount: Int,
                             latchRows: [Int] = []) throws(MachineTraceError) -> MachineTrace<ClimbKeyColumn> {
        let machine = ClimbKeyColumn.machineName
        guard rowCount >= rowsPerClimb, rowCount % rowsPerClimb == 0 else {
            throw .invalidRowCount(machine: machine, rowCount: rowCount)
        }
        let capacity = capacity(rowCount: rowCount)
        try MachineTraceError.checkCapacity(machine: machine, requestRows: requests.map(\.row), capacity: capacity,
                                            rowCount: rowCount, latchRows: latchRows)
        var trace = MachineTrace<ClimbKeyColumn>(rowCount: rowCount)
        for (j, request) in requests.enumerated() {
            func invalid(_ field: String, _ reason: String) -> MachineTraceError {
                .invalidRequest(machine: machine, request: j,
                                action: MachineTraceError.action(forStorageRow: request.row, latchRows: latchRows),
                                storageRow: request.row, field: field, reason: reason)
            }
            guard request.bit <= 1 else { throw invalid("bit", "\(request.bit) is not 0 or 1") }
            guard (0..<levelCount).contains(request.level) else {
                throw invalid("level", "\(request.level) is outside 0 ..< \(levelCount)")
            }
            let z = request.level % 4
            var key = [request.key.e0.value, request.key.e1.value, request.key.e2.value, request.key.e3.value]
            let x = key[z]
            guard x <= (FieldElement.order - 1 - request.bit) / 2 else {
                throw invalid("key", "limb \(z) = \(x): 2·limb + \(request.bit) is not below p")
            }
            let climbed = 2 * x + request.bit
            let expected = request.result
            guard [expected.e0.value, expected.e1.value, expected.e2.value, expected.e3.value]
                == key.enumerated().map({ $0.offset == z ? climbed : $0.element }) else {
                throw invalid("result", "is not the key with limb \(z) climbed")
            }
            var value = x
            var carry = request.bit
            var lt: UInt64 = 0
            var keyIn: UInt64 = 0
            for clock in 0..<rowsPerClimb {
                let row = j * rowsPerClimb + clock
                let chunk = value & 0x3FFFF
                value >>= 18
                keyIn += chunk << (18 * UInt64(clock))
                if clock == rowsPerClimb - 1 { key[z] = climbed }
                for k in 0..<4 { trace[ClimbKeyColumn.key(k), row] = key[k] }
                trace[.level, row] = UInt64(request.level)
                trace[.keyInChunk, row] = chunk
                trace[.keyIn, row] = keyIn
                trace[.bit, row] = request.bit
                trace[.carryLt, row] = carry + 2 * lt
                let climbedChunk = 2 * chunk + carry
                carry = climbedChunk > chunkMasks[clock] ? 1 : 0
                let cropped = climbedChunk & chunkMasks[clock]
                lt = cropped < chunksOfP[clock] ? 1 : (cropped == chunksOfP[clock] ? lt : 0)
                if clock == rowsPerClimb - 1 { trace[ClimbKeyColumn.keySel(z), row] = 1 }
                if clock == rowsPerClimb - 2 { trace[.result, row] = 1 }
            }
        }
        trace.rowsUsed = requests.count * rowsPerClimb
        var row = trace.rowsUsed
        while row < rowCount {
            trace[.carryLt, row + 1] = 2
            trace[.carryLt, row + 2] = 2
            trace[.carryLt, row + 3] = 2
            trace[.keySel0, row + 3] = 1
            row += rowsPerClimb
        }
        return trace
    }
}

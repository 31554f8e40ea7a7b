/// The ClimbKey lookup table (spec §7.2, as zkevm-proverjs `sm_climb_key.js` lists it): a listing
/// of 3,145,476 rows (T_CLKEYSEL, T_LEVEL, T_CHUNK_VALUE, T_CARRYLT_IN, T_CARRYLT_OUT), enumerable
/// row by row, and the same set as a membership rule so a checker need not materialise it.
public enum ClimbKeyTable {
    /// One row of the table.
    public struct Row: Sendable, Equatable, Hashable {
        /// T_CLKEYSEL.
        public var clkeySel: UInt64
        /// T_LEVEL.
        public var level: UInt64
        /// T_CHUNK_VALUE.
        public var chunk: UInt64
        /// T_CARRYLT_IN.
        public var carryLtIn: UInt64
        /// T_CARRYLT_OUT.
        public var carryLtOut: UInt64

        /// Creates a row.
        public init(clkeySel: UInt64, level: UInt64, chunk: UInt64, carryLtIn: UInt64, carryLtOut: UInt64) {
            self.clkeySel = clkeySel
            self.level = level
            self.chunk = chunk
            self.carryLtIn = carryLtIn
            self.carryLtOut = carryLtOut
        }

        /// The five values in column order.
        public var values: [UInt64] { [clkeySel, level, chunk, carryLtIn, carryLtOut] }
    }

    /// The table's column names in the order of the PIL plookup.
    public static let columnNames = ["T_CLKEYSEL", "T_LEVEL", "T_CHUNK_VALUE", "T_CARRYLT_IN", "T_CARRYLT_OUT"]

    /// Rows in the complete listing: 4 empty rows + 2^19 (clock 0) + 2 · 2^20 (clocks 1, 2) +
    /// 256 · 2047 (clock 3).
    public static let listingCount = 3_145_476

    /// The 18/18/18/10-bit chunks of p, low first.
    static let primeChunks: [UInt64] = [0x00001, 0x3C000, 0x3FFFF, 0x003FF]

    /// The chunk mask of clock c.
    static func mask(_ clock: Int) -> UInt64 { clock == 3 ? (1 << 10) - 1 : (1 << 18) - 1 }

    /// (carryOut, ltOut) after chunk x of clock c with the incoming carry and lt.
    static func step(clock: Int, chunk: UInt64, carryIn: UInt64, ltIn: UInt64) -> (carry: UInt64, lt: UInt64) {
        let climbed = 2 * chunk + carryIn
        let carry: UInt64 = climbed > mask(clock) ? 1 : 0
        let cropped = climbed & mask(clock)
        let g = primeChunks[clock]
        let lt: UInt64 = cropped < g ? 1 : (cropped == g ? ltIn : 0)
        return (carry, lt)
    }

    /// For clock 3: the first chunk at which the listing stops for (ltIn, carryIn), i.e. the
    /// number of chunks listed (the first x with ltOut ≠ 1 or carryOut = 1).
    static let clock3Stop: [[UInt64]] = (0..<2).map { ltIn in
        (0..<2).map { carryIn in
            var x: UInt64 = 0
            while x <= mask(3) {
                let out = step(clock: 3, chunk: x, carryIn: UInt64(carryIn), ltIn: UInt64(ltIn))
                if out.lt != 1 || out.carry == 1 { break }
                x += 1
            }
            return x
        }
    }

    /// Calls `body` with the rows of the complete listing in order, until it returns false.
    public static func forEachListedRow(_ body: (Row) -> Bool) {
        let emptyIn: [UInt64] = [0, 2, 2, 2], emptyOut: [UInt64] = [2, 2, 2, 0]
        for c in 0..<4 {
            let row = Row(clkeySel: c == 3 ? 7 : UInt64(c), level: 0, chunk: 0, carryLtIn: emptyIn[c], carryLtOut: emptyOut[c])
            if !body(row) { return }
        }
        for c in 0..<4 {
            for level in 0..<(c == 3 ? 256 : 1) {
                let clkeySel = UInt64(c) + (c == 3 ? 4 << UInt64(level % 4) : 0)
                for ltIn in 0..<(c == 0 ? 1 : 2) {
                    for carryIn in 0..<2 {
                        for x in 0...mask(c) {
                            let out = step(clock: c, chunk: x, carryIn: UInt64(carryIn), ltIn: UInt64(ltIn))
                            if c == 3 && (out.lt != 1 || out.carry == 1) { break }
                            let row = Row(
                                clkeySel: clkeySel, level: UInt64(level), chunk: x,
                                carryLtIn: UInt64(carryIn) + 2 * UInt64(ltIn),
                                carryLtOut: c == 3 ? 0 : out.carry + 2 * out.lt)
                            if !body(row) { return }
                        }
                    }
                }
            }
        }
    }

    /// Whether `row` is a row of the complete listing (the membership rule of spec §7.2).
    public static func contains(_ row: Row) -> Bool {
        // The four empty rows.
        switch (row.clkeySel, row.level, row.chunk, row.carryLtIn, row.carryLtOut) {
        case (0, 0, 0, 0, 2), (1, 0, 0, 2, 2), (2, 0, 0, 2, 2), (7, 0, 0, 2, 0): return true
        default: break
        }
        guard row.carryLtIn < 4 else { return false }
        let carryIn = row.carryLtIn & 1, ltIn = row.carryLtIn >> 1
        if row.clkeySel < 3 {
            let c = Int(row.clkeySel)
            guard row.level == 0, row.chunk <= mask(c), c != 0 || ltIn == 0 else { return false }
            let out = step(clock: c, chunk: row.chunk, carryIn: carryIn, ltIn: ltIn)
            return row.carryLtOut == out.carry + 2 * out.lt
        }
        guard row.level < 256, row.clkeySel == 3 + (4 << (row.level % 4)), row.carryLtOut == 0 else { return false }
        return row.chunk < clock3Stop[Int(ltIn)][Int(carryIn)]
    }
}

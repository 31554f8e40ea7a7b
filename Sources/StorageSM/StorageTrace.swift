import Goldilocks

/// The Storage committed columns over N rows (spec §4), row-major (``StorageColumn/layout``).
/// `rowsUsed` stays 0 here: the executor reports rows used through its latch rows.
public typealias StorageTrace = MachineTrace<StorageColumn>

/// A hash the Storage SM asks of PoseidonG (spec §5.1): `Poseidon(left ‖ right; (hashType, 0, 0, 0))`.
public struct StoragePoseidonRequest: Sendable, Hashable {
    /// The Storage row of the hash.
    public var row: Int
    /// HASH_LEFT.
    public var left: Digest
    /// HASH_RIGHT.
    public var right: Digest
    /// Capacity element 0 (0 branch/value hash, 1 leaf hash).
    public var hashType: UInt64
    /// The result.
    public var result: Digest

    /// A hash request of Storage row `row`: `result = Poseidon(left ‖ right; (hashType, 0, 0, 0))`.
    public init(row: Int, left: Digest, right: Digest, hashType: UInt64, result: Digest) {
        self.row = row
        self.left = left
        self.right = right
        self.hashType = hashType
        self.result = result
    }
}

/// A key climb the Storage SM asks of ClimbKey (spec §5.2): `key[level mod 4] := 2·key + bit`.
public struct StorageClimbKeyRequest: Sendable, Hashable {
    /// The Storage row of the climb.
    public var row: Int
    /// The register before the climb.
    public var key: Digest
    /// LEVEL at that row.
    public var level: Int
    /// The injected bit.
    public var bit: UInt64
    /// The climbed key.
    public var result: Digest

    /// A climb request of Storage row `row`: `result = key` with limb `level mod 4` := 2·limb + bit.
    public init(row: Int, key: Digest, level: Int, bit: UInt64, result: Digest) {
        self.row = row
        self.key = key
        self.level = level
        self.bit = bit
        self.result = result
    }
}

/// What the executor produces: the trace, the requests to other machines in emission order,
/// and the latch row of each action.
public struct StorageExecution: Sendable {
    /// The Storage columns.
    public var trace: StorageTrace
    /// One per hash row, in row order.
    public var poseidonRequests: [StoragePoseidonRequest] = []
    /// One per climb row, in row order.
    public var climbKeyRequests: [StorageClimbKeyRequest] = []
    /// `latchRows[a]` = the row where action `a` latched.
    public var latchRows: [Int] = []
    /// Hash rows whose Poseidon was computed here, not taken from the action's known hashes.
    public var computedHashCount = 0
}

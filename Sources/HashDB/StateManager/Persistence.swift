/// Where a write is meant to end up (hashdb spec §4). The wire carries 0…3; 3 is not in the
/// proto but the prover's executor sends it.
public enum Persistence: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Kept in memory after flush, never written to the store.
    case cache = 0
    /// Written to the store at flush.
    case database = 1
    /// Visible inside its batch only (the executor's touched tree); discarded at flush.
    case temporary = 2
    /// Like temporary; the executor's per-block block-info tree.
    case temporaryHash = 3

    /// Whether this persistence carries the state tree (its roots are the batch's and blocks' roots).
    public var carriesState: Bool { self == .cache || self == .database }

    /// Parses a wire value; nil outside 0…3.
    public init?(wire value: Int) { self.init(rawValue: value) }

    public var description: String {
        switch self {
        case .cache: return "CACHE"
        case .database: return "DATABASE"
        case .temporary: return "TEMPORARY"
        case .temporaryHash: return "TEMPORARY_HASH"
        }
    }
}

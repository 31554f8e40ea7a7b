import SMT

/// What can go wrong reading or building account state.
public enum StateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An address that is not 20 bytes of hex.
    case invalidAddress(String, String)
    /// A field of an input file that is missing or malformed; the path names it
    /// (e.g. `genesis[3].storage.0x01`).
    case invalidField(path: String, reason: String)
    /// The tree failed underneath.
    case tree(SMTError)

    public var description: String {
        switch self {
        case let .invalidAddress(text, why): return "invalid address '\(text)': \(why)"
        case let .invalidField(path, reason): return "\(path): \(reason)"
        case let .tree(error): return "\(error)"
        }
    }
}

/// Why a storage ROM JSON was rejected (spec storage-sm §2). Line errors name the program
/// index (0-based, the `pc` value) and the JSON field at fault.
public enum StorageROMError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The ROM file could not be read.
    case unreadable(path: String, reason: String)
    /// The data is not JSON, or its top level is not an object.
    case malformedJSON(String)
    /// The top-level `program` array is missing or not an array.
    case missingProgram
    /// `program` has no lines.
    case emptyProgram
    /// The `labels` table (or one label) is not a map of names to line indices.
    case invalidLabel(name: String, reason: String)
    /// Line `index` is invalid in `field`.
    case invalidLine(index: Int, field: String, problem: StorageROMLineProblem)

    public var description: String {
        switch self {
        case let .unreadable(path, why): return "storage ROM: cannot read \(path): \(why)"
        case let .invalidLabel(name, why): return "storage ROM: labels[\"\(name)\"]: \(why)"
        case let .malformedJSON(why): return "storage ROM: malformed JSON: \(why)"
        case .missingProgram: return "storage ROM: top-level \"program\" array missing"
        case .emptyProgram: return "storage ROM: \"program\" is empty"
        case let .invalidLine(index, field, problem):
            return "storage ROM: program[\(index)].\(field): \(problem)"
        }
    }
}

/// What is wrong with one field of a ROM line.
public enum StorageROMLineProblem: Equatable, Sendable, CustomStringConvertible {
    /// The key is not one of spec §2.
    case unknownKey
    /// A mandatory field, or one another field requires, is absent.
    case missing
    /// The field has the wrong JSON type.
    case wrongType(expected: String, found: String)
    /// A flag holds something other than 0 or 1.
    case notBinary(Int64)
    /// `CONST` or `inSIBLING_RKEY` is outside (−2^32, 2^32).
    case outOfRange(Int64)
    /// `freeInTag.funcName` names no known free-input function.
    case unknownFunction(String)
    /// `freeInTag.op` is neither `"functionCall"` nor `""`.
    case unknownFreeInOp(String)
    /// A jump target is not a line of the program.
    case jumpTargetOutOfRange(Int64, programLength: Int)
    /// The field must be present (or set) because of another field of the line (named).
    case requiredBy(String)
    /// The field contradicts another one of the same line (named in `reason`).
    case conflict(String)

    public var description: String {
        switch self {
        case .unknownKey: return "unknown key"
        case .missing: return "missing"
        case let .wrongType(expected, found): return "expected \(expected), found \(found)"
        case let .notBinary(v): return "flag must be 0 or 1, found \(v)"
        case let .outOfRange(v): return "\(v) is outside (-2^32, 2^32)"
        case let .unknownFunction(name): return "unknown free-input function \"\(name)\""
        case let .unknownFreeInOp(op): return "unknown freeInTag op \"\(op)\""
        case let .jumpTargetOutOfRange(t, n): return "jump target \(t) outside 0..<\(n)"
        case let .requiredBy(other): return "required by \(other)"
        case let .conflict(reason): return reason
        }
    }
}

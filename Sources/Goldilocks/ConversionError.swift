/// Why a text or limb form could not be turned into a field value.
///
/// Every case says what was expected, so a caller can prefix it with the name of the field
/// or argument it came from and print one clear line.
public enum ConversionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text was empty (or only a `0x` prefix).
    case empty
    /// A character that is not a digit of the expected base.
    case invalidCharacter(Character, base: Int)
    /// A number at or above the allowed bound (`p` for a field element, `2^256` for a scalar).
    case outOfRange(String, bound: String)
    /// Text with the wrong number of hex digits, where an exact count is required.
    case wrongDigitCount(expected: Int, found: Int)
    /// A `0x` prefix was required but missing.
    case missingHexPrefix
    /// A 64-bit limb of a 4-limb value is not a canonical field element.
    case limbNotCanonical(index: Int, value: UInt64)
    /// A limb of an 8 × 32-bit value preimage is `>= 2^32`.
    case limbNotU32(index: Int, value: UInt64)
    /// An array had the wrong number of elements.
    case wrongCount(expected: Int, found: Int)
    /// Hex bytes with an odd number of digits.
    case oddDigitCount(Int)

    public var description: String {
        switch self {
        case .empty:
            return "empty number"
        case let .invalidCharacter(c, base):
            return "invalid character '\(c)' for a base-\(base) number"
        case let .outOfRange(text, bound):
            return "\(text) is out of range (must be < \(bound))"
        case let .wrongDigitCount(expected, found):
            return "expected \(expected) hex digits, found \(found)"
        case .missingHexPrefix:
            return "expected a 0x prefix"
        case let .limbNotCanonical(index, value):
            return "limb \(index) = \(value) is not a canonical field element (must be < p = \(FieldElement.order))"
        case let .limbNotU32(index, value):
            return "limb \(index) = \(value) does not fit in 32 bits"
        case let .wrongCount(expected, found):
            return "expected \(expected) elements, found \(found)"
        case let .oddDigitCount(count):
            return "odd number of hex digits (\(count)); bytes need two digits each"
        }
    }
}

/// An element of the Goldilocks field F_p, p = 2^64 - 2^32 + 1.
///
/// The stored `value` is always canonical, in `[0, p)`. Two constructors exist on purpose:
///
/// - ``init(_:)`` is failable and rejects a `UInt64` that is `>= p`: use it on untrusted input
///   (CLI arguments, wire messages, files), where a non-canonical number is an error.
/// - ``init(reducing:)`` reduces modulo p: use it inside arithmetic where any 64-bit
///   representative is meaningful.
///
/// ```
///  p = 0xFFFFFFFF_00000001
///      └── hi 32 ──┘└ lo 32 ┘     2^64 ≡ 2^32 - 1  (mod p),  2^96 ≡ -1  (mod p)
/// ```
@frozen
public struct FieldElement: Sendable, Hashable {
    /// The canonical representative, always `< p`.
    public let value: UInt64

    /// Wraps an integer the caller guarantees is canonical (`< p`).
    @inlinable @inline(__always)
    public init(canonical value: UInt64) {
        assert(value < FieldElement.order)
        self.value = value
    }

    /// Accepts `value` only when it is canonical (`< p`); returns nil otherwise.
    @inlinable
    public init?(_ value: UInt64) {
        guard value < FieldElement.order else { return nil }
        self.value = value
    }

    /// Reduces any 64-bit integer modulo p.
    @inlinable @inline(__always)
    public init(reducing value: UInt64) {
        self.value = FieldElement.canonicalize(value)
    }
}

extension FieldElement {
    /// The field order p = 2^64 - 2^32 + 1.
    public static let order: UInt64 = 0xFFFF_FFFF_0000_0001

    /// 2^64 mod p = 2^32 - 1; the correction added whenever a 64-bit sum wraps.
    public static let epsilon: UInt64 = 0xFFFF_FFFF

    /// The additive identity.
    public static let zero = FieldElement(canonical: 0)

    /// The multiplicative identity.
    public static let one = FieldElement(canonical: 1)

    /// Whether this element is zero.
    @inlinable public var isZero: Bool { value == 0 }
}

extension FieldElement: CustomStringConvertible, CustomDebugStringConvertible {
    /// The canonical value in decimal.
    public var description: String { String(value) }
    /// The canonical value in decimal, tagged with the type.
    public var debugDescription: String { "FieldElement(\(value))" }
}

extension FieldElement: ExpressibleByIntegerLiteral {
    /// A literal is reduced modulo p (literals are trusted source text).
    public init(integerLiteral value: UInt64) {
        self.init(reducing: value)
    }
}

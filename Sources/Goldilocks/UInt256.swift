/// An unsigned 256-bit integer: state values, keys and hashes read as one number.
///
/// ```
///  bit 255                                                       bit 0
///  ├── words.3 ───┼── words.2 ───┼── words.1 ───┼── words.0 ───┤
/// ```
/// Only what the state needs is here: comparison, text forms, and the limb splits of the
/// zkEVM (see `FieldElement+Limbs.swift`).
@frozen
public struct UInt256: Sendable, Hashable, Comparable {
    /// Little-endian 64-bit words: `words.0` is the least significant.
    public var words: (UInt64, UInt64, UInt64, UInt64)

    /// Builds the integer `w0 + w1·2^64 + w2·2^128 + w3·2^192`.
    @inlinable
    public init(_ w0: UInt64, _ w1: UInt64 = 0, _ w2: UInt64 = 0, _ w3: UInt64 = 0) {
        words = (w0, w1, w2, w3)
    }

    /// Zero.
    public static let zero = UInt256(0)
    /// 2^256 - 1.
    public static let max = UInt256(.max, .max, .max, .max)

    /// Whether the integer is zero.
    @inlinable public var isZero: Bool { (words.0 | words.1 | words.2 | words.3) == 0 }

    /// The word at `index` (0 = least significant).
    @inlinable
    public subscript(word index: Int) -> UInt64 {
        get {
            switch index {
            case 0: return words.0
            case 1: return words.1
            case 2: return words.2
            default: return words.3
            }
        }
        set {
            switch index {
            case 0: words.0 = newValue
            case 1: words.1 = newValue
            case 2: words.2 = newValue
            default: words.3 = newValue
            }
        }
    }

    public static func == (a: UInt256, b: UInt256) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0); hasher.combine(words.1); hasher.combine(words.2); hasher.combine(words.3)
    }

    public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.words.3 != b.words.3 { return a.words.3 < b.words.3 }
        if a.words.2 != b.words.2 { return a.words.2 < b.words.2 }
        if a.words.1 != b.words.1 { return a.words.1 < b.words.1 }
        return a.words.0 < b.words.0
    }

    /// `self * m + a`, or nil when the result needs more than 256 bits.
    @usableFromInline
    func multipliedAdding(_ m: UInt64, _ a: UInt64) -> UInt256? {
        var result = UInt256.zero
        var carry = a
        for i in 0..<4 {
            let (hi, lo) = self[word: i].multipliedFullWidth(by: m)
            let (sum, overflow) = lo.addingReportingOverflow(carry)
            result[word: i] = sum
            carry = hi &+ (overflow ? 1 : 0)
        }
        return carry == 0 ? result : nil
    }

    /// `(self / d, self % d)` for a 64-bit divisor.
    @usableFromInline
    func quotientAndRemainder(dividingBy d: UInt64) -> (UInt256, UInt64) {
        var q = UInt256.zero
        var r: UInt64 = 0
        for i in stride(from: 3, through: 0, by: -1) {
            let (qi, ri) = d.dividingFullWidth((r, self[word: i]))
            q[word: i] = qi
            r = ri
        }
        return (q, r)
    }
}

// MARK: - Text forms

extension UInt256: CustomStringConvertible {
    /// Decimal digits, no leading zeros.
    public var description: String {
        if isZero { return "0" }
        var chunks: [UInt64] = []
        var n = self
        let base: UInt64 = 10_000_000_000_000_000_000  // 10^19, the largest power of ten in a UInt64
        while !n.isZero {
            let (q, r) = n.quotientAndRemainder(dividingBy: base)
            chunks.append(r)
            n = q
        }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }

    /// `0x` followed by exactly 64 lowercase hex digits (most significant first).
    public var hexString: String {
        "0x" + unprefixedHex
    }

    /// Exactly 64 lowercase hex digits, most significant first, no prefix.
    public var unprefixedHex: String {
        var text = ""
        text.reserveCapacity(64)
        for i in stride(from: 3, through: 0, by: -1) {
            let digits = String(self[word: i], radix: 16)
            text += String(repeating: "0", count: 16 - digits.count) + digits
        }
        return text
    }

    /// Parses a decimal number, or a hex number when it starts with `0x`/`0X`.
    ///
    /// Leading zeros are allowed in both (a decimal `"09987"` is 9987, not octal). Values
    /// `>= 2^256` are rejected.
    public init(parsing text: String) throws(ConversionError) {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            try self.init(hex: text.dropFirst(2))
        } else {
            try self.init(decimal: Substring(text))
        }
    }

    /// Parses decimal digits.
    public init(decimal text: Substring) throws(ConversionError) {
        guard !text.isEmpty else { throw .empty }
        var n = UInt256.zero
        for c in text {
            guard let digit = c.wholeNumberValue, c.isASCII else { throw .invalidCharacter(c, base: 10) }
            guard let next = n.multipliedAdding(10, UInt64(digit)) else {
                throw .outOfRange(String(text), bound: "2^256")
            }
            n = next
        }
        self = n
    }

    /// Parses hex digits (no prefix); any number of leading zeros is allowed.
    public init(hex text: Substring) throws(ConversionError) {
        guard !text.isEmpty else { throw .empty }
        var n = UInt256.zero
        var significant = 0
        for c in text {
            guard let digit = c.hexDigitValue, c.isASCII else { throw .invalidCharacter(c, base: 16) }
            if significant == 0 && digit == 0 { continue }
            significant += 1
            guard significant <= 64 else { throw .outOfRange("0x" + String(text), bound: "2^256") }
            n = n.multipliedAdding(16, UInt64(digit))!  // cannot overflow: at most 64 digits
        }
        self = n
    }
}

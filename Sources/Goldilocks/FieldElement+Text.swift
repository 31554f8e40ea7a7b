extension FieldElement {
    /// Parses a canonical element from decimal text, or hex text with a `0x` prefix.
    ///
    /// Untrusted input: a value `>= p` is an error, never reduced.
    public init(parsing text: String) throws(ConversionError) {
        let n = try UInt256(parsing: text)
        guard n.words.1 == 0, n.words.2 == 0, n.words.3 == 0, let element = FieldElement(n.words.0) else {
            throw .outOfRange(text, bound: "p = \(FieldElement.order)")
        }
        self = element
    }

    /// `0x` followed by 16 lowercase hex digits.
    public var hexString: String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}

import Goldilocks

/// A 20-byte Ethereum address.
public struct Address: Sendable, Hashable, CustomStringConvertible {
    /// The 20 bytes, most significant first (as written in hex).
    public let bytes: [UInt8]

    /// Parses 40 hex digits, with or without `0x`, in any case (checksum case is not checked).
    public init(hex text: String) throws(StateError) {
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? text.dropFirst(2) : Substring(text)
        guard digits.count == 40 else {
            throw .invalidAddress(text, "expected 40 hex digits, found \(digits.count)")
        }
        if let bad = digits.first(where: { !$0.isASCII || !$0.isHexDigit }) {
            throw .invalidAddress(text, "invalid character '\(bad)' for a hex digit")
        }
        do {
            bytes = try Hex.decode(String(digits))
        } catch {
            throw .invalidAddress(text, "\(error)")
        }
        guard bytes.count == 20 else { throw .invalidAddress(text, "expected 20 bytes") }
    }

    /// An address from exactly 20 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// The address as a 160-bit big-endian integer.
    public var scalar: UInt256 {
        var words: [UInt64] = [0, 0, 0]
        for (i, byte) in bytes.reversed().enumerated() {
            words[i / 8] |= UInt64(byte) << UInt64(8 * (i % 8))
        }
        return UInt256(words[0], words[1], words[2], 0)
    }

    /// `0x` + 40 lowercase hex digits.
    public var description: String { Hex.encode(bytes) }
}

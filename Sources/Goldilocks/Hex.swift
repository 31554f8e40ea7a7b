/// Hex text <-> bytes, as the zkEVM's tools write it.
public enum Hex {
    /// Decodes hex text, with or without a `0x` prefix; whitespace around it is ignored.
    ///
    /// An odd number of digits is an error unless `padOddLength` is set, in which case one `0`
    /// is put in front (the references' rule for bytecode).
    public static func decode(_ text: String, padOddLength: Bool = false) throws(ConversionError) -> [UInt8] {
        var utf8 = Substring(text).utf8.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        while let last = utf8.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 {
            utf8 = utf8.dropLast()
        }
        if utf8.starts(with: [0x30, 0x78]) || utf8.starts(with: [0x30, 0x58]) { utf8 = utf8.dropFirst(2) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2 + 1)
        if utf8.count % 2 == 1 && !padOddLength { throw .oddDigitCount(utf8.count) }
        var pending: UInt8? = utf8.count % 2 == 1 ? 0 : nil
        for c in utf8 {
            let nibble: UInt8
            switch c {
            case 0x30...0x39: nibble = c - 0x30
            case 0x61...0x66: nibble = c - 0x61 + 10
            case 0x41...0x46: nibble = c - 0x41 + 10
            default: throw .invalidCharacter(Character(Unicode.Scalar(c)), base: 16)
            }
            if let high = pending {
                bytes.append(high << 4 | nibble)
                pending = nil
            } else {
                pending = nibble
            }
        }
        return bytes
    }

    /// Lowercase hex digits of `bytes`, with a `0x` prefix when `prefixed`.
    public static func encode(_ bytes: some Sequence<UInt8>, prefixed: Bool = true) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        if prefixed { out += [0x30, 0x78] }
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

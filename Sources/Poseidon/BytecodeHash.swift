import Goldilocks

extension Poseidon {
    /// Bytes of one absorbed block: 8 elements of 7 bytes.
    public static let bytecodeBlockSize = 56

    /// The contract code hash (`hashContractBytecode`, spec state-tree §9): the bytes followed by
    /// `0x01`, zero-padded to a multiple of 56 with `0x80` OR-ed into the last byte, absorbed
    /// 56 bytes at a time (eight little-endian 7-byte elements) with the previous digest as
    /// capacity.
    public static func hashBytecode(_ bytes: some Collection<UInt8>) -> Digest {
        if let digest = bytes.withContiguousStorageIfAvailable({ hashBytecode(contiguous: $0) }) { return digest }
        return Array(bytes).withUnsafeBufferPointer { hashBytecode(contiguous: $0) }
    }

    /// ``hashBytecode(_:)`` on contiguous bytes (no generic dispatch per byte).
    static func hashBytecode(contiguous bytes: UnsafeBufferPointer<UInt8>) -> Digest {
        let count = bytes.count
        let blocks = count / bytecodeBlockSize + 1  // room for the 0x01 marker
        let paddedCount = blocks * bytecodeBlockSize
        var h = Digest.zero
        var offset = 0
        for _ in 0..<blocks {
            var s = State(repeating: 0)
            for e in 0..<8 {
                var element: UInt64 = 0
                for b in 0..<7 {
                    var byte: UInt8 = offset < count ? bytes[offset] : (offset == count ? 0x01 : 0x00)
                    if offset == paddedCount - 1 { byte |= 0x80 }
                    element |= UInt64(byte) &<< (8 * UInt64(b))
                    offset += 1
                }
                s[e] = element
            }
            s[8] = h.e0.value; s[9] = h.e1.value; s[10] = h.e2.value; s[11] = h.e3.value
            permute(&s)
            h = digest(of: s)
        }
        return h
    }

    /// ``hashBytecode(_:)`` of hex text (with or without `0x`; an odd digit count is left-padded
    /// with one `0`, as the reference does).
    public static func hashBytecode(hex: String) throws(ConversionError) -> Digest {
        try hashBytecode(Hex.decode(hex, padOddLength: true))
    }
}

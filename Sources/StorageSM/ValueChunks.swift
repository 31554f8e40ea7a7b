import Goldilocks

/// The ROM's value registers (spec §1.4): a 256-bit value as eight 32-bit chunks, least
/// significant first; VALUE_LOW = chunks 0–3, VALUE_HIGH = chunks 4–7.
enum ValueChunks {
    /// Chunk `j` (0…7) of `v`.
    static func chunk(_ v: UInt256, _ j: Int) -> UInt64 {
        (v[word: j / 2] >> UInt64(32 * (j % 2))) & 0xFFFF_FFFF
    }

    /// Chunks 0–3.
    static func low(_ v: UInt256) -> Digest {
        Digest(canonical: chunk(v, 0), chunk(v, 1), chunk(v, 2), chunk(v, 3))
    }

    /// Chunks 4–7.
    static func high(_ v: UInt256) -> Digest {
        Digest(canonical: chunk(v, 4), chunk(v, 5), chunk(v, 6), chunk(v, 7))
    }
}

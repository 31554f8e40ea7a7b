import Goldilocks

/// One row of the row-major Storage trace as the executor fills it: column `c` at `base[c]`.
struct StorageRow {
    let base: UnsafeMutablePointer<UInt64>

    /// The value of column `c` (a ``StorageColumn`` raw value).
    subscript(c: Int) -> UInt64 {
        get { base[c] }
        nonmutating set { base[c] = newValue }
    }

    /// Columns `c ..< c + 4` as a digest.
    func digest(at c: Int) -> Digest {
        Digest(canonical: base[c], base[c + 1], base[c + 2], base[c + 3])
    }

    /// Writes `d` to columns `c ..< c + 4`.
    func store(_ d: Digest, at c: Int) {
        base[c] = d.e0.value
        base[c + 1] = d.e1.value
        base[c + 2] = d.e2.value
        base[c + 3] = d.e3.value
    }
}

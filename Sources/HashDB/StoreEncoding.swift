import Goldilocks

/// The byte forms the prover's tables use (hashdb spec §0).
///
/// ```
///  hash key:  BE64(h3) ‖ BE64(h2) ‖ BE64(h1) ‖ BE64(h0)          32 bytes
///  node data: BE64(e0) ‖ BE64(e1) ‖ … ‖ BE64(e11)                 96 bytes (64 for 8 elements)
///  root row:  key 32 × 0xFF, data = root h0…h3 then 8 zero elements
/// ```
public enum StoreEncoding {
    /// The key of the latest-state-root row: 32 bytes of 0xFF, never a Poseidon hash.
    public static let rootRowKey = [UInt8](repeating: 0xFF, count: 32)

    /// The database key of a hash.
    @inlinable
    public static func key(_ h: Digest) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { b in
            b.storeBytes(of: h.e3.value.bigEndian, toByteOffset: 0, as: UInt64.self)
            b.storeBytes(of: h.e2.value.bigEndian, toByteOffset: 8, as: UInt64.self)
            b.storeBytes(of: h.e1.value.bigEndian, toByteOffset: 16, as: UInt64.self)
            b.storeBytes(of: h.e0.value.bigEndian, toByteOffset: 24, as: UInt64.self)
        }
        return out
    }

    /// The hash of a database key; nil unless 32 bytes whose limbs are canonical.
    @inlinable
    public static func hash(key bytes: UnsafeRawBufferPointer) -> Digest? {
        guard bytes.count == 32 else { return nil }
        let w = (0..<4).map { UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
        guard let h3 = FieldElement(w[0]), let h2 = FieldElement(w[1]),
              let h1 = FieldElement(w[2]), let h0 = FieldElement(w[3]) else { return nil }
        return Digest(h0, h1, h2, h3)
    }

    /// The hash of a database key held in an array.
    public static func hash(key bytes: [UInt8]) -> Digest? {
        bytes.withUnsafeBytes { hash(key: $0) }
    }

    /// The data column of a node: each element 8 bytes big-endian, element 0 first.
    @inlinable
    public static func data(_ node: NodeData) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: node.count * 8)
        out.withUnsafeMutableBytes { writeData(node, into: $0) }
        return out
    }

    /// Writes a node's data column into `buffer` (at least `node.count * 8` bytes).
    @inlinable
    public static func writeData(_ node: NodeData, into buffer: UnsafeMutableRawBufferPointer) {
        for i in 0..<4 {
            buffer.storeBytes(of: node.low[i].bigEndian, toByteOffset: i * 8, as: UInt64.self)
            buffer.storeBytes(of: node.high[i].bigEndian, toByteOffset: 32 + i * 8, as: UInt64.self)
            if node.count == 12 {
                buffer.storeBytes(of: node.capacity[i].bigEndian, toByteOffset: 64 + i * 8, as: UInt64.self)
            }
        }
    }

    /// A node from its data column: 96 bytes (12 elements) or 64 (8, legacy value nodes).
    @inlinable
    public static func node(data bytes: UnsafeRawBufferPointer) -> NodeData? {
        guard bytes.count == 96 || bytes.count == 64 else { return nil }
        @inline(__always) func element(_ i: Int) -> UInt64 {
            UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
        }
        let low = SIMD4(element(0), element(1), element(2), element(3))
        let high = SIMD4(element(4), element(5), element(6), element(7))
        if bytes.count == 64 { return NodeData(low: low, high: high, count: 8) }
        return NodeData(low: low, high: high, capacity: SIMD4(element(8), element(9), element(10), element(11)))
    }

    /// A node from a data column held in an array.
    public static func node(data bytes: [UInt8]) -> NodeData? {
        bytes.withUnsafeBytes { node(data: $0) }
    }

    /// The data column of the root row for `root`.
    public static func rootRowData(_ root: Digest) -> [UInt8] {
        data(NodeData(low: root.raw, high: .zero))
    }

    /// The root a root row names (its elements 0…3); nil when malformed.
    public static func root(rootRowData bytes: [UInt8]) -> Digest? {
        guard let n = node(data: bytes), n.count == 12, all(n.low .< SIMD4(repeating: FieldElement.order)) else { return nil }
        return Digest(raw: n.low)
    }
}

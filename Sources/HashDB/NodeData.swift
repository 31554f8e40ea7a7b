import Goldilocks
import Poseidon
import SMT

/// The preimage of a stored node, exactly as the prover's tables hold it.
///
/// ```
///  elements:  e0 … e3 | e4 … e7 | e8 … e11      (12; legacy value nodes stop after e7)
///  branch:    left     | right   | 0 0 0 0
///  leaf:      rkey     | vhash   | 1 0 0 0
///  value:     v0 … v3  | v4 … v7 | 0 0 0 0      (32-bit chunks of the value, least significant first)
///  bytes:     BE64(e0) ‖ BE64(e1) ‖ … ‖ BE64(e11)   (96 bytes, 64 for 8 elements)
/// ```
/// Elements are kept raw (as read) so that corrupt data can be reported rather than silently reduced.
@frozen
public struct NodeData: Sendable, Hashable {
    /// Elements 0…3.
    public var low: SIMD4<UInt64>
    /// Elements 4…7.
    public var high: SIMD4<UInt64>
    /// Elements 8…11 (the capacity); zero for an 8-element node.
    public var capacity: SIMD4<UInt64>
    /// 12, or 8 for a legacy value node.
    public var count: Int

    /// A node from its element groups.
    @inlinable
    public init(low: SIMD4<UInt64>, high: SIMD4<UInt64>, capacity: SIMD4<UInt64> = .zero, count: Int = 12) {
        self.low = low; self.high = high; self.capacity = capacity; self.count = count
    }

    /// The stored form of a tree node.
    @inlinable
    public init(_ node: Node) {
        switch node {
        case let .branch(l, r): self.init(low: l.raw, high: r.raw)
        case let .leaf(k, v): self.init(low: k.raw, high: v.raw, capacity: SIMD4(1, 0, 0, 0))
        }
    }

    /// The stored form of a leaf value: eight 32-bit chunks, least significant first.
    @inlinable
    public init(value: UInt256) {
        let w = value.words
        self.init(low: SIMD4(w.0 & 0xFFFF_FFFF, w.0 >> 32, w.1 & 0xFFFF_FFFF, w.1 >> 32),
                  high: SIMD4(w.2 & 0xFFFF_FFFF, w.2 >> 32, w.3 & 0xFFFF_FFFF, w.3 >> 32))
    }

    /// Elements as a list (`count` of them), element 0 first.
    public var elements: [UInt64] {
        let all = [low[0], low[1], low[2], low[3], high[0], high[1], high[2], high[3],
                   capacity[0], capacity[1], capacity[2], capacity[3]]
        return Array(all.prefix(count))
    }

    /// A node from a list of 8 or 12 raw elements.
    public init(elements e: [UInt64]) throws(NodeDataError) {
        guard e.count == 12 || e.count == 8 else { throw .wrongSize(e.count) }
        self.init(low: SIMD4(e[0], e[1], e[2], e[3]), high: SIMD4(e[4], e[5], e[6], e[7]),
                  capacity: e.count == 12 ? SIMD4(e[8], e[9], e[10], e[11]) : .zero, count: e.count)
    }

    /// Whether every element is a canonical field element (< p).
    @inlinable
    public var isCanonical: Bool {
        let p = SIMD4<UInt64>(repeating: FieldElement.order)
        return all(low .< p) && all(high .< p) && all(capacity .< p)
    }

    /// The tree node this preimage encodes (12 elements, capacity 0 = branch, 1 = leaf).
    @inlinable
    public func node() throws(NodeDataError) -> Node {
        guard count == 12 else { throw .wrongSize(count) }
        guard isCanonical else { throw .notCanonical }
        let a = Digest(raw: low), b = Digest(raw: high)
        if capacity == .zero { return .branch(left: a, right: b) }
        if capacity == SIMD4(1, 0, 0, 0) { return .leaf(remainingKey: a, valueHash: b) }
        throw .badCapacity
    }

    /// The leaf value this preimage encodes (8 chunks below 2^32, capacity 0).
    @inlinable
    public func value() throws(NodeDataError) -> UInt256 {
        let limit = SIMD4<UInt64>(repeating: 1 << 32)
        guard all(low .< limit), all(high .< limit) else { throw .notAValue }
        guard capacity == .zero else { throw .badCapacity }
        return UInt256(low[0] | low[1] << 32, low[2] | low[3] << 32, high[0] | high[1] << 32, high[2] | high[3] << 32)
    }

    /// The Poseidon hash of the preimage (its id in the store); nil when an element is not canonical.
    public var hash: Digest? {
        guard isCanonical else { return nil }
        let input = FieldElements8 { i in FieldElement(canonical: i < 4 ? low[i] : high[i - 4]) }
        return Poseidon.hash(input, capacity: Digest(raw: capacity))
    }
}

/// Why a stored preimage cannot be used.
public enum NodeDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not 8 or 12 elements (or 8 where 12 are required); the number found.
    case wrongSize(Int)
    /// An element is ≥ p.
    case notCanonical
    /// The capacity is neither [0,0,0,0] nor [1,0,0,0].
    case badCapacity
    /// A value node whose chunks do not fit in 32 bits.
    case notAValue

    public var description: String {
        switch self {
        case let .wrongSize(n): return "expected 12 elements (8 allowed for a value node), found \(n)"
        case .notCanonical: return "an element is not a canonical field element (>= p)"
        case .badCapacity: return "capacity must be [0,0,0,0] (branch, value) or [1,0,0,0] (leaf)"
        case .notAValue: return "a value node's elements must be 32-bit chunks"
        }
    }
}

extension Digest {
    /// The four limbs as raw words, limb 0 first.
    @inlinable
    public var raw: SIMD4<UInt64> { SIMD4(e0.value, e1.value, e2.value, e3.value) }

    /// A digest from four raw words the caller has checked are canonical.
    @inlinable
    public init(raw: SIMD4<UInt64>) {
        self.init(canonical: raw[0], raw[1], raw[2], raw[3])
    }
}

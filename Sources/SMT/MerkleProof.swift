import Goldilocks

/// A self-contained proof that `key` holds `value` under a root, or that it is absent.
///
/// ```
///  root ── sibling[0] ── sibling[1] ── … ── sibling[L-1] ── terminal
///  terminal: the key's leaf (inclusion) │ an empty slot │ another key's leaf (absence)
/// ```
/// Only the sibling ids on the path are carried; ``verify(root:)`` recomputes the root
/// bottom-up without any store (spec §10.1).
public struct MerkleProof: Sendable, Equatable, Codable {
    /// What ends the path.
    public enum Terminal: Sendable, Equatable {
        /// The key's own leaf: proves inclusion of `value`.
        case leaf
        /// An empty slot: proves absence.
        case empty
        /// The leaf of another key with the same path prefix: proves absence.
        case otherLeaf(key: SMTKey, value: UInt256)
    }

    /// The key proven.
    public var key: SMTKey
    /// Its value (0 for an absence proof).
    public var value: UInt256
    /// The sibling id at each depth of the path, root level first.
    public var siblings: [NodeHash]
    /// What ends the path.
    public var terminal: Terminal

    /// A proof from its parts.
    public init(key: SMTKey, value: UInt256, siblings: [NodeHash], terminal: Terminal) {
        self.key = key
        self.value = value
        self.siblings = siblings
        self.terminal = terminal
    }

    /// Why a proof does not hold.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// The recomputed root differs from the expected one.
        case rootMismatch(computed: NodeHash, expected: NodeHash)
        /// The proof's parts contradict each other.
        case malformed(String)

        public var description: String {
            switch self {
            case let .rootMismatch(computed, expected):
                return "root mismatch: the proof gives \(computed.hexString), expected \(expected.hexString)"
            case let .malformed(why):
                return "malformed proof: \(why)"
            }
        }
    }

    /// Checks the proof against `root`; throws the reason when it does not hold.
    public func verify(root: NodeHash) throws(Failure) {
        let depth = siblings.count
        guard depth <= 256 else { throw .malformed("more than 256 siblings") }
        var node: NodeHash
        switch terminal {
        case .leaf:
            guard !value.isZero else { throw .malformed("an inclusion proof needs a non-zero value") }
            node = TreeHash.leaf(key.removingPathBits(depth), TreeHash.value(value))
        case .empty:
            guard value.isZero else { throw .malformed("an absence proof has value 0") }
            guard depth > 0 || root.isZero else { throw .malformed("an empty slot needs at least one branch above it") }
            node = .zero
        case let .otherLeaf(otherKey, otherValue):
            guard value.isZero else { throw .malformed("an absence proof has value 0") }
            guard otherKey != key else { throw .malformed("the other leaf has the proven key") }
            guard !otherValue.isZero else { throw .malformed("the other leaf's value is 0") }
            guard otherKey.firstDifferingDepth(from: key) >= depth else {
                throw .malformed("the other leaf is not on the key's path")
            }
            node = TreeHash.leaf(otherKey.removingPathBits(depth), TreeHash.value(otherValue))
        }
        for d in stride(from: depth - 1, through: 0, by: -1) {
            node = key.pathBit(at: d) == 0 ? TreeHash.branch(node, siblings[d]) : TreeHash.branch(siblings[d], node)
        }
        guard node == root else { throw .rootMismatch(computed: node, expected: root) }
    }

    /// Whether the proof holds for `root`.
    public func isValid(root: NodeHash) -> Bool {
        (try? verify(root: root)) != nil
    }

    // MARK: JSON form: {"key", "value", "siblings", "terminal", "otherKey"?, "otherValue"?}

    private enum CodingKeys: String, CodingKey {
        case key, value, siblings, terminal, otherKey, otherValue
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func digest(_ k: CodingKeys, _ text: String) throws -> Digest {
            do { return try Digest(hexString: text) } catch {
                throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "\(error)")
            }
        }
        func scalar(_ k: CodingKeys, _ text: String) throws -> UInt256 {
            do { return try UInt256(parsing: text) } catch {
                throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "\(error)")
            }
        }
        key = try digest(.key, c.decode(String.self, forKey: .key))
        value = try scalar(.value, c.decode(String.self, forKey: .value))
        var list = try c.nestedUnkeyedContainer(forKey: .siblings)
        siblings = []
        while !list.isAtEnd {
            let text = try list.decode(String.self)
            do { siblings.append(try Digest(hexString: text)) } catch {
                throw DecodingError.dataCorruptedError(in: list, debugDescription: "sibling \(siblings.count): \(error)")
            }
        }
        switch try c.decode(String.self, forKey: .terminal) {
        case "leaf": terminal = .leaf
        case "empty": terminal = .empty
        case "otherLeaf":
            terminal = .otherLeaf(key: try digest(.otherKey, c.decode(String.self, forKey: .otherKey)),
                                  value: try scalar(.otherValue, c.decode(String.self, forKey: .otherValue)))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .terminal, in: c,
                                                   debugDescription: "'\(other)' is not one of leaf, empty, otherLeaf")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key.hexString, forKey: .key)
        try c.encode(value.description, forKey: .value)
        try c.encode(siblings.map(\.hexString), forKey: .siblings)
        switch terminal {
        case .leaf: try c.encode("leaf", forKey: .terminal)
        case .empty: try c.encode("empty", forKey: .terminal)
        case let .otherLeaf(k, v):
            try c.encode("otherLeaf", forKey: .terminal)
            try c.encode(k.hexString, forKey: .otherKey)
            try c.encode(v.description, forKey: .otherValue)
        }
    }
}

extension SparseMerkleTree {
    /// The proof of what `key` holds under `root` (inclusion or absence).
    public func proof(root: NodeHash, key: SMTKey) throws(SMTError) -> MerkleProof {
        let read = try get(root: root, key: key)
        let siblings = read.siblings.enumerated().map { d, branch in branch[1 - key.pathBit(at: d)] }
        let terminal: MerkleProof.Terminal
        if !read.value.isZero {
            terminal = .leaf
        } else if let otherKey = read.insKey, let otherValue = read.insValue {
            terminal = .otherLeaf(key: otherKey, value: otherValue)
        } else {
            terminal = .empty
        }
        return MerkleProof(key: key, value: read.value, siblings: siblings, terminal: terminal)
    }
}

import Goldilocks

/// Walks every node under a root in a store and reports what is missing or corrupt
/// (`zkstate db check`).
///
/// Level by level, with one batched read per level chunk (one round trip per 1,000 nodes on
/// PostgreSQL). Each node must hash to its key; branches and leaves must have 12 canonical
/// elements and capacity [0,0,0,0] or [1,0,0,0]; value nodes 8 or 12 elements of 32-bit chunks.
public struct TreeCheck: Sendable {
    /// One problem, with the path (bits from the root, 0 = left) where it was found.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// What is wrong.
        public enum Kind: Sendable, Equatable {
            /// No row under this hash.
            case missing
            /// The preimage does not hash to the key (`actual` is its hash, nil if not canonical).
            case hashMismatch(actual: Digest?)
            /// The preimage is not a valid node of its kind.
            case malformed(String)
        }
        /// The node's hash.
        public var hash: Digest
        /// The path from the root: one character per level, "0" left, "1" right; a value node adds "v".
        public var path: String
        /// What is wrong.
        public var kind: Kind

        public var description: String {
            let at = path.isEmpty ? "the root" : "path \(path)"
            switch kind {
            case .missing: return "missing \(hash.hexString) at \(at)"
            case let .hashMismatch(actual): return "corrupt \(hash.hexString) at \(at): preimage hashes to \(actual?.hexString ?? "nothing (non-canonical element)")"
            case let .malformed(why): return "corrupt \(hash.hexString) at \(at): \(why)"
            }
        }
    }

    /// What a walk found.
    public struct Report: Sendable {
        /// Branch nodes read.
        public var branches = 0
        /// Leaves read.
        public var leaves = 0
        /// Value nodes read.
        public var values = 0
        /// Problems found (at most `problemLimit` are kept; `problemCount` counts all).
        public var problems: [Problem] = []
        /// All problems found.
        public var problemCount = 0
        /// Whether nothing is wrong.
        public var isClean: Bool { problemCount == 0 }
        /// Nodes read.
        public var nodes: Int { branches + leaves + values }
    }

    /// Nodes read per round trip.
    public var chunk = 1000
    /// Problems kept in the report.
    public var problemLimit = 1000

    /// A checker.
    public init() {}

    private enum Expect { case node, value }

    /// Walks the tree under `root` in `read` (a store, or anything that reads many nodes at once).
    public func run(root: Digest, read: ([Digest]) throws(HashDBError) -> [Digest: NodeData]) throws(HashDBError) -> Report {
        var report = Report()
        guard !root.isZero else { return report }
        var level: [(Digest, String, Expect)] = [(root, "", .node)]
        var seen: Set<Digest> = []
        func problem(_ p: Problem) {
            report.problemCount += 1
            if report.problems.count < problemLimit { report.problems.append(p) }
        }
        while !level.isEmpty {
            var next: [(Digest, String, Expect)] = []
            var start = 0
            while start < level.count {
                let part = level[start..<min(start + chunk, level.count)]
                start += part.count
                let found = try read(part.map(\.0))
                for (h, path, expect) in part {
                    guard let n = found[h] else { problem(.init(hash: h, path: path, kind: .missing)); continue }
                    guard n.isCanonical else { problem(.init(hash: h, path: path, kind: .hashMismatch(actual: nil))); continue }
                    if let actual = n.hash, actual != h { problem(.init(hash: h, path: path, kind: .hashMismatch(actual: actual))); continue }
                    switch expect {
                    case .value:
                        do { _ = try n.value(); report.values += 1 } catch { problem(.init(hash: h, path: path, kind: .malformed("\(error)"))) }
                    case .node:
                        do {
                            switch try n.node() {
                            case let .branch(l, r):
                                report.branches += 1
                                if !l.isZero, seen.insert(l).inserted { next.append((l, path + "0", .node)) }
                                if !r.isZero, seen.insert(r).inserted { next.append((r, path + "1", .node)) }
                            case let .leaf(_, v):
                                report.leaves += 1
                                if seen.insert(v).inserted { next.append((v, path + "v", .value)) }
                            }
                        } catch {
                            problem(.init(hash: h, path: path, kind: .malformed("\(error)")))
                        }
                    }
                }
            }
            level = next
        }
        return report
    }
}

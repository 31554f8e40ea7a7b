import Goldilocks

/// Copies nodes and programs between two stores (`zkstate db copy`): everything, or what one root
/// reaches. Idempotent (rows that exist are kept) and resumable:
/// - a full copy walks the source in key order, one destination transaction per page, and keeps
///   its position in the destination's bookkeeping (`copy:<source>:nodes` / `:programs`), so a run
///   that is interrupted continues where the last committed page ended;
/// - a root copy skips every subtree whose top node the destination already has (our flushes and
///   our copies always store whole subtrees, children before parents), and writes deepest levels first.
public struct StoreCopy: Sendable {
    /// Rows per destination transaction.
    public var page = 20_000

    /// What a copy did.
    public struct Summary: Sendable, Equatable {
        /// Nodes written (including ones the destination already had, for a full copy).
        public var nodes = 0
        /// Programs written.
        public var programs = 0
        /// Subtrees skipped because the destination had them (root copies).
        public var skippedSubtrees = 0
    }

    /// A copier.
    public init() {}

    /// Copies every node and program, and the latest-state-root row.
    public func copyAll(from source: any PersistentStore, to destination: any PersistentStore,
                        progress: ((Int) -> Void)? = nil) throws(HashDBError) -> Summary {
        var summary = Summary()
        let nodesKey = "copy:\(source.location):nodes", programsKey = "copy:\(source.location):programs"
        var after = try destination.metadata(nodesKey).flatMap(StoreCopy.position)
        while true {
            let rows = try source.scanNodes(after: after, limit: page)
            guard let last = rows.last?.0 else { break }
            try destination.commit(StoreWrite(nodes: rows, metadata: [nodesKey: last.hexString]))
            summary.nodes += rows.count
            progress?(summary.nodes)
            after = last
        }
        var programAfter = try destination.metadata(programsKey).flatMap(StoreCopy.position)
        while true {
            let rows = try source.scanPrograms(after: programAfter, limit: max(1, page / 10))
            guard let last = rows.last?.0 else { break }
            try destination.commit(StoreWrite(programs: rows, metadata: [programsKey: last.hexString]))
            summary.programs += rows.count
            programAfter = last
        }
        // Done: the next run starts over (and rewrites nothing new).
        let root = try source.stateRoot()
        try destination.commit(StoreWrite(stateRoot: root.isZero ? nil : root, metadata: [nodesKey: "", programsKey: ""]))
        return summary
    }

    static func position(_ text: String) -> Digest? {
        text.isEmpty ? nil : try? Digest(hexString: text)
    }

    /// Copies what `root` reaches: its nodes, and the programs whose hash is a value under it.
    public func copyTree(root: Digest, from source: any PersistentStore, to destination: any PersistentStore,
                         progress: ((Int) -> Void)? = nil) throws(HashDBError) -> Summary {
        var summary = Summary()
        guard !root.isZero else { return summary }
        var levels: [[(Digest, NodeData)]] = []
        var level: [Digest] = [root]
        var isValueLevel: Set<Digest> = []
        var seen: Set<Digest> = [root]
        var programCandidates: Set<Digest> = []
        while !level.isEmpty {
            var rows: [(Digest, NodeData)] = []
            var next: [Digest] = []
            var start = 0
            while start < level.count {
                let part = Array(level[start..<min(start + page, level.count)])
                start += part.count
                let present = try destination.readNodes(part)
                let found = try source.readNodes(part.filter { present[$0] == nil })
                for h in part {
                    if present[h] != nil { summary.skippedSubtrees += 1; continue }
                    guard let n = found[h] else { throw .nodeNotFound(h) }
                    rows.append((h, n))
                    if isValueLevel.contains(h) {
                        if let v = try? n.value(), let candidate = try? Digest(scalar: v) { programCandidates.insert(candidate) }
                        continue
                    }
                    guard let node = try? n.node() else { throw .invalidNode(h, .badCapacity) }
                    switch node {
                    case let .branch(l, r):
                        for c in [l, r] where !c.isZero && seen.insert(c).inserted { next.append(c) }
                    case let .leaf(_, v):
                        if seen.insert(v).inserted { next.append(v); isValueLevel.insert(v) }
                    }
                }
            }
            levels.append(rows)
            level = next
        }
        // Programs first, so an interrupted run has written the programs of every node it wrote.
        var programs: [(Digest, [UInt8])] = []
        for h in programCandidates {
            if let bytes = try source.readProgram(h) { programs.append((h, bytes)) }
        }
        if !programs.isEmpty { try destination.commit(StoreWrite(programs: programs)) }
        summary.programs = programs.count
        // Children before parents: a node in the destination always has its whole subtree.
        for rows in levels.reversed() {
            var start = 0
            while start < rows.count {
                let part = Array(rows[start..<min(start + page, rows.count)])
                try destination.commit(StoreWrite(nodes: part))
                start += part.count
                summary.nodes += part.count
                progress?(summary.nodes)
            }
        }
        return summary
    }
}

import Foundation

/// Reads a PIL file and every file it includes, in order, into one flat statement list (each
/// `include` replaced by the included file's statements, as pilcom does).
///
/// An include path is resolved relative to the including file; when no file is there, each search
/// directory is tried with the path as written and then with its last component only. That maps
/// the reference tree's `include "../../../pil/storage.pil"` onto a flat directory of PIL files.
public struct SourceLoader: Sendable {
    /// Directories tried, in order, when an include is not found next to the including file.
    public let searchDirectories: [URL]

    /// Creates a loader with the given fallback search directories.
    public init(searchDirectories: [URL] = []) {
        self.searchDirectories = searchDirectories
    }

    /// Statements of `url` with its includes expanded.
    public func load(_ url: URL) throws(PILError) -> [Statement] {
        var active: [String] = []
        return try load(url.standardizedFileURL, from: nil, active: &active)
    }

    private func load(_ url: URL, from: SourceLocation?, active: inout [String]) throws(PILError) -> [Statement] {
        let path = url.path
        if active.contains(path), let from { throw .includeCycle(path: path, at: from) }
        let source: String
        do {
            source = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription, includedFrom: from)
        }
        active.append(path)
        defer { active.removeLast() }
        var result: [Statement] = []
        for statement in try Parser.parse(source: source, file: path) {
            if case let .include(includePath, at) = statement {
                let target = resolve(includePath, from: url)
                result += try load(target, from: at, active: &active)
            } else {
                result.append(statement)
            }
        }
        return result
    }

    /// Where `includePath`, written in `file`, points (the first existing candidate, else the
    /// path next to `file`, whose read then fails with its own error).
    public func resolve(_ includePath: String, from file: URL) -> URL {
        let direct = URL(fileURLWithPath: includePath, relativeTo: file.deletingLastPathComponent()).standardizedFileURL
        var candidates = [direct]
        for directory in searchDirectories {
            candidates.append(directory.appendingPathComponent(includePath).standardizedFileURL)
            candidates.append(directory.appendingPathComponent(direct.lastPathComponent).standardizedFileURL)
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? direct
    }
}

import ArgumentParser
import Foundation
import PIL
import Poseidon
import enum StorageSM.TraceFiles
import enum StorageSM.TraceFileError

/// Checking a trace directory with the independent PIL checker (the `PIL` target): committed
/// columns from the files, constant columns built for the trace's N, every constraint of the
/// namespaces the trace covers.
enum TraceCheck {
    /// The PIL files to check against: `paths`, or (with none given) `storage.pil` and
    /// `global.pil` next to `rom`.
    static func pilFiles(_ paths: [String], rom: URL?) throws -> [URL] {
        if paths.isEmpty, let rom {
            let directory = rom.deletingLastPathComponent()
            let defaults = ["storage.pil", "global.pil"].map { directory.appendingPathComponent($0) }
            guard defaults.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) else {
                throw UsageError(argument: "--pil", reason: "missing, and no storage.pil and global.pil next to the ROM")
            }
            return defaults
        }
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw UsageError(argument: "--pil", reason: "file '\(path)' not found")
        }
        return paths.map { URL(fileURLWithPath: $0) }
    }

    /// The program of several PIL files: each file's statements (includes expanded), a file
    /// already read through an earlier one's includes contributing nothing twice.
    static func program(_ urls: [URL], rowCount: Int) throws -> Program {
        var statements: [Statement] = []
        var seenFiles = Set<String>()
        let loader = SourceLoader(searchDirectories: urls.map { $0.deletingLastPathComponent() })
        do {
            for url in urls {
                let loaded = try loader.load(url)
                let files = Set(loaded.map { file(of: $0) })
                statements += loaded.filter { !seenFiles.contains(file(of: $0)) }
                seenFiles.formUnion(files)
            }
            return try Program(statements: statements, constants: ["N": UInt64(rowCount)])
        } catch {
            throw UsageError(argument: "--pil", reason: "\(error)")
        }
    }

    /// The file a statement was read from.
    static func file(of statement: Statement) -> String {
        switch statement {
        case let .include(_, at), let .constantDefinition(_, _, at), let .namespace(_, _, at), let .declaration(_, _, at),
            let .definition(_, _, at), let .identity(_, _, at), let .tuple(_, _, _, at), let .publicValue(_, _, _, at):
            return at.file
        }
    }

    /// The constant columns of Global, Storage, PoseidonG and ClimbKey for `rowCount` rows (the
    /// ClimbKey table is left to its rule).
    static func constants(rowCount n: Int, rom: URL, poseidonConstants: String?) throws -> [String: [UInt64]] {
        var columns = ConstantPolynomials.global(rowCount: n)
        do {
            columns.merge(try ConstantPolynomials.storage(rowCount: n, rom: StorageROM(contentsOf: rom))) { a, _ in a }
        } catch {
            throw UsageError(argument: "--rom", reason: "\(error)")
        }
        var roundConstants: [UInt64] = []
        if let poseidonConstants {
            do { roundConstants = try PoseidonGConstants.roundConstants(contentsOf: URL(fileURLWithPath: poseidonConstants)) } catch {
                throw UsageError(argument: "--poseidon-constants", reason: "\(error)")
            }
        } else {
            for r in 0..<PoseidonParameters.rounds { roundConstants += PoseidonParameters.roundConstants(of: r).map(\.value) }
        }
        columns.merge(try PoseidonGConstants.columns(rowCount: n, roundConstants: roundConstants)) { a, _ in a }
        columns.merge(ConstantPolynomials.climbKey(rowCount: n, includeTable: false)) { a, _ in a }
        return columns
    }

    /// A trace file that cannot be read: a cell that is not a field element fails the check
    /// (exit 1), anything else is bad input.
    static func fail(_ error: TraceFileError, directoryArgument: String) throws -> Never {
        if case .nonCanonical = error {
            print("check: FAIL: \(error)")
            throw ExitCode(1)
        }
        throw UsageError(argument: directoryArgument, reason: "\(error)")
    }

    /// Column data the checker refuses: a non-canonical value fails the check (exit 1), a
    /// missing column or a malformed program is bad input naming `--pil`.
    static func fail(_ error: PILError) throws -> Never {
        if case .nonCanonicalValue = error {
            print("check: FAIL: \(error)")
            throw ExitCode(1)
        }
        throw UsageError(argument: "--pil", reason: "\(error)")
    }

    /// Checks `directory` and prints the result: `check: pass …` (return) or `check: FAIL …`
    /// with the first failures (exit 1). Unreadable input is a ``UsageError``.
    static func report(directory: URL, directoryArgument: String, pil: [URL], rom: URL, poseidonConstants: String?) throws {
        let loaded: (description: TraceFiles.Description, columns: [String: [UInt64]])
        do {
            loaded = try TraceFiles.readColumns(from: directory)
        } catch {
            try fail(error, directoryArgument: directoryArgument)
        }
        let description = loaded.description
        var columns = loaded.columns
        let n = description.N
        guard n % 32 == 0, n >= 32 else {
            throw UsageError(argument: directoryArgument, reason: "trace.json: N = \(n) is not a positive multiple of 32")
        }
        let program = try self.program(pil, rowCount: n)
        columns.merge(try constants(rowCount: n, rom: rom, poseidonConstants: poseidonConstants)) { committed, _ in committed }

        // Namespaces whose committed columns are all in the trace (Global has none).
        var checked: [String] = [], skipped: [String] = []
        for namespace in program.namespaces {
            let present = namespace.committed.allSatisfy { columns["\(namespace.name).\($0)"] != nil }
            if present { checked.append(namespace.name) } else { skipped.append(namespace.name) }
        }
        let namespaces = Set(checked)
        let identities = program.identities.filter { namespaces.contains($0.namespace) }.count
        let tuples = program.tupleConstraints.filter { namespaces.contains($0.namespace) }
        let plookups = tuples.filter { $0.kind == .plookup }.count
        let failures: [ConstraintFailure]
        do {
            let data = try ColumnData(rowCount: n, columns: columns)
            columns = [:]
            failures = try ConstraintChecker(program: program, maxFailures: 4, tableRules: [.climbKey])
                .check(data, namespaces: namespaces)
        } catch {
            try fail(error)
        }
        let scope = "\(identities) identities, \(plookups) plookups, \(tuples.count - plookups) permutations over \(n) rows "
            + "in \(checked.joined(separator: ", "))"
            + (skipped.isEmpty ? "" : "; not checked (no trace columns): \(skipped.joined(separator: ", "))")
        if failures.isEmpty {
            print("check: pass (\(scope))")
            return
        }
        var lines = ["check: FAIL (\(scope))"]
        for failure in failures.prefix(20) { lines.append("  \(failure)") }
        if failures.count > 20 { lines.append("  … \(failures.count - 20) more") }
        print(lines.joined(separator: "\n"))
        throw ExitCode(1)
    }
}

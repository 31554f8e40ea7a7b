import Foundation
import PIL

/// Resolves an inline PIL snippet (file name `snippet.pil`).
func program(_ source: String, constants: [String: UInt64] = [:]) throws -> Program {
    try Program(statements: Parser.parse(source: source, file: "snippet.pil"), constants: constants)
}

/// Column data from `Namespace.name: values` pairs.
func columns(_ rows: Int, _ values: [String: [UInt64]]) throws -> ColumnData {
    try ColumnData(rowCount: rows, columns: values)
}

/// The error a throwing closure raises, as a `PILError`.
func pilError(_ body: () throws -> Void) -> PILError? {
    do {
        try body()
        return nil
    } catch let error as PILError {
        return error
    } catch {
        return nil
    }
}

/// A fresh temporary directory for include tests.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pil-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

import Foundation

/// The compiled storage ROM (spec storage-sm §2): the program the storage executor runs,
/// loaded from its JSON at run time (nothing is compiled into the binary) and validated line
/// by line. Line `i` is the instruction at `pc = i`.
public struct StorageROM: Sendable, Hashable {
    /// The program, one typed line per instruction.
    public let lines: [StorageROMLine]
    /// The label table (`labels`: name → line index), empty when the JSON has none.
    public let labels: [String: Int]

    /// Reads and validates the ROM JSON at `url`.
    public init(contentsOf url: URL) throws(StorageROMError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: "\(error)")
        }
        try self.init(jsonData: data)
    }

    /// Parses and validates ROM JSON (`{ "program": [ … ], "labels": { … } }`).
    public init(jsonData: Data) throws(StorageROMError) {
        let top: JSONValue
        do {
            top = try JSONDecoder().decode(JSONValue.self, from: jsonData)
        } catch {
            throw .malformedJSON("\(error)")
        }
        guard case let .object(object) = top else { throw .malformedJSON("top level is not an object") }
        guard case let .array(program)? = object["program"] else { throw .missingProgram }
        guard !program.isEmpty else { throw .emptyProgram }
        var lines: [StorageROMLine] = []
        lines.reserveCapacity(program.count)
        for (index, value) in program.enumerated() {
            lines.append(try StorageROMLine.parse(value, index: index, programLength: program.count))
        }
        var labels: [String: Int] = [:]
        if let labelValue = object["labels"] {
            guard case let .object(table) = labelValue else { throw .invalidLabel(name: "", reason: "labels is not an object") }
            for (name, target) in table {
                guard case let .integer(t) = target, t >= 0, t < program.count else {
                    throw .invalidLabel(name: name, reason: "not a line index in 0..<\(program.count)")
                }
                labels[name] = Int(t)
            }
        }
        self.lines = lines
        self.labels = labels
    }

    /// Number of lines.
    public var count: Int { lines.count }

    /// The line at `pc`.
    public subscript(pc: Int) -> StorageROMLine { lines[pc] }
}

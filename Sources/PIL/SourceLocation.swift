/// A place in a PIL source file: the file's path as given to the loader and a 1-based line.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path (as the loader opened it).
    public let file: String
    /// The 1-based line number.
    public let line: Int

    /// Creates a location.
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`.
    public var description: String { "\(file):\(line)" }
}

/// One lexical token of PIL source with the line it starts on.
public struct Token: Sendable, Equatable {
    /// What the token is.
    public enum Kind: Sendable, Equatable {
        /// A name, possibly qualified with dots (`Global.L1`); keywords are names too.
        case identifier(String)
        /// `%NAME` (the text after `%`).
        case constantName(String)
        /// A decimal or `0x` hexadecimal literal, as written and as a 64-bit value.
        case number(text: String, value: UInt64)
        /// A `"..."` string (the text between the quotes).
        case string(String)
        /// Punctuation or an operator: `; , ( ) { } [ ] = ' + - * **`.
        case symbol(String)
        /// The end of the file.
        case end
    }

    /// What the token is.
    public let kind: Kind
    /// Where it starts.
    public let location: SourceLocation

    /// Creates a token.
    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// How the token reads in an error message.
    public var display: String {
        switch kind {
        case let .identifier(name): return "'\(name)'"
        case let .constantName(name): return "'%\(name)'"
        case let .number(text, _): return "number \(text)"
        case let .string(text): return "string \"\(text)\""
        case let .symbol(symbol): return "'\(symbol)'"
        case .end: return "end of file"
        }
    }
}

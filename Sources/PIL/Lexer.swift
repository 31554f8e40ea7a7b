/// Splits PIL source text into ``Token``s, skipping whitespace and `//` and `/* */` comments.
public struct Lexer: Sendable {
    private let bytes: [UInt8]
    private let file: String

    /// Prepares to read `source`, reporting locations in `file`.
    public init(source: String, file: String) {
        self.bytes = Array(source.utf8)
        self.file = file
    }

    /// All tokens of the source, ending with one `.end` token.
    public func tokenize() throws(PILError) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        var line = 1
        let n = bytes.count
        func at(_ l: Int) -> SourceLocation { SourceLocation(file: file, line: l) }
        while i < n {
            let c = bytes[i]
            if c == UInt8(ascii: "\n") { line += 1; i += 1; continue }
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") { i += 1; continue }
            if c == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "/") {
                while i < n, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            }
            if c == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "*") {
                let start = line
                i += 2
                var closed = false
                while i < n {
                    if bytes[i] == UInt8(ascii: "*"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "/") {
                        i += 2; closed = true; break
                    }
                    if bytes[i] == UInt8(ascii: "\n") { line += 1 }
                    i += 1
                }
                if !closed { throw .unterminated(what: "comment", at: at(start)) }
                continue
            }
            if Self.isIdentifierStart(c) {
                let start = i
                while i < n, Self.isIdentifierPart(bytes[i])
                    || (bytes[i] == UInt8(ascii: ".") && i + 1 < n && Self.isIdentifierStart(bytes[i + 1])) {
                    i += 1
                }
                tokens.append(Token(.identifier(text(start, i)), at: at(line)))
                continue
            }
            if c == UInt8(ascii: "%") {
                let start = i + 1
                i += 1
                while i < n, Self.isIdentifierPart(bytes[i]) { i += 1 }
                if i == start { throw .unexpectedCharacter("%", at: at(line)) }
                tokens.append(Token(.constantName(text(start, i)), at: at(line)))
                continue
            }
            if Self.isDigit(c) {
                tokens.append(try number(from: &i, line: line))
                continue
            }
            if c == UInt8(ascii: "\"") {
                let start = i + 1
                i += 1
                while i < n, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\n") { i += 1 }
                if i >= n || bytes[i] != UInt8(ascii: "\"") { throw .unterminated(what: "string", at: at(line)) }
                tokens.append(Token(.string(text(start, i)), at: at(line)))
                i += 1
                continue
            }
            if c == UInt8(ascii: "*"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "*") {
                tokens.append(Token(.symbol("**"), at: at(line)))
                i += 2
                continue
            }
            if Self.symbols.contains(c) {
                tokens.append(Token(.symbol(String(UnicodeScalar(c))), at: at(line)))
                i += 1
                continue
            }
            throw .unexpectedCharacter(character(at: i), at: at(line))
        }
        tokens.append(Token(.end, at: at(line)))
        return tokens
    }

    private static let symbols: Set<UInt8> = Set(";,(){}[]='+-*".utf8)

    private static func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_")
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func isIdentifierPart(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private func character(at i: Int) -> Character {
        var end = i + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return text(i, end).first ?? "?"
    }

    /// Reads a decimal or `0x` hexadecimal literal starting at `i`.
    private func number(from i: inout Int, line: Int) throws(PILError) -> Token {
        let start = i
        let location = SourceLocation(file: file, line: line)
        var radix: UInt64 = 10
        if bytes[i] == UInt8(ascii: "0"), i + 1 < bytes.count, bytes[i + 1] | 0x20 == UInt8(ascii: "x") {
            radix = 16
            i += 2
        }
        let digitsStart = i
        var value: UInt64 = 0
        var overflow = false
        while i < bytes.count, let digit = Self.digitValue(bytes[i], radix: radix) {
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (a, o2) = m.addingReportingOverflow(digit)
            overflow = overflow || o1 || o2
            value = a
            i += 1
        }
        let literal = text(start, i)
        if i == digitsStart { throw .unexpectedToken(expected: "hex digits", found: literal, at: location) }
        if i < bytes.count, Self.isIdentifierStart(bytes[i]) {
            throw .unexpectedCharacter(character(at: i), at: location)
        }
        if overflow { throw .numberTooLarge(literal, at: location) }
        return Token(.number(text: literal, value: value), at: location)
    }

    private static func digitValue(_ c: UInt8, radix: UInt64) -> UInt64? {
        if isDigit(c) { return UInt64(c - UInt8(ascii: "0")) }
        guard radix == 16 else { return nil }
        let lower = c | 0x20
        if lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f") { return UInt64(lower - UInt8(ascii: "a") + 10) }
        return nil
    }
}

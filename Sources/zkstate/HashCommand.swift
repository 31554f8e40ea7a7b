import ArgumentParser
import Foundation
import Goldilocks
import Poseidon

struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Poseidon hashes as the zkEVM computes them.",
        subcommands: [PoseidonHash.self, BytecodeHash.self]
    )
}

struct PoseidonHash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poseidon",
        abstract: "Hash 8 input elements with a 4-element capacity; print the 4 output elements in decimal.",
        discussion: "Elements are decimal or 0x-hex and must be canonical (< p = 18446744069414584321)."
    )

    @Argument(help: "E0 … E11: the 8 inputs, then the 4 capacity elements.")
    var elements: [String] = []

    func run() throws {
        guard elements.count == 12 else {
            throw UsageError(argument: "<elements>", reason: "expected 12 field elements (8 inputs, 4 capacity), got \(elements.count)")
        }
        var state = [FieldElement]()
        for (i, text) in elements.enumerated() {
            do {
                state.append(try FieldElement(parsing: text))
            } catch {
                throw UsageError(argument: "E\(i)", reason: "'\(text)': \(error)")
            }
        }
        let input = FieldElements8 { state[$0] }
        let digest = Poseidon.hash(input, capacity: Digest(state[8], state[9], state[10], state[11]))
        print(digest.elements.map(\.description).joined(separator: " "))
    }
}

struct BytecodeHash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bytecode",
        abstract: "Print the contract code hash (linear Poseidon) as 0x + 64 hex digits.",
        discussion: "HEX may carry a 0x prefix; '-' reads the hex from standard input."
    )

    @Argument(help: "The bytecode in hex, or '-' to read it from standard input.")
    var hex: String

    func run() throws {
        var text = hex
        if hex == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        let bytes: [UInt8]
        do {
            bytes = try Hex.decode(text)
        } catch {
            throw UsageError(argument: hex == "-" ? "<hex> (stdin)" : "<hex>", reason: "\(error)")
        }
        print(Poseidon.hashBytecode(bytes).hexString)
    }
}

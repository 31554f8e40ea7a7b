import Foundation
import Testing
import TestSupport

private struct PoseidonVectors: Decodable {
    struct Case: Decodable { let name: String; let input: [String]; let output: [String] }
    let cases: [Case]
}

private struct BytecodeVector: Decodable { let bytecode: String; let expectedHash: String }

@Suite("zkstate hash")
struct HashCommandTests {
    @Test func poseidonPrintsFourDecimalElements() throws {
        let vectors = try Vectors.load(PoseidonVectors.self, "state-tree/poseidon.json")
        for c in vectors.cases {
            let r = try CLIRunner.run(["hash", "poseidon"] + c.input)
            #expect(r.status == 0, "\(c.name): \(r.stderr)")
            #expect(r.stdout == c.output.joined(separator: " ") + "\n", "\(c.name)")
        }
    }

    @Test func poseidonAcceptsHex() throws {
        let r = try CLIRunner.run(["hash", "poseidon"] + Array(repeating: "0x0", count: 12))
        #expect(r.stdout == "4330397376401421145 14124799381142128323 8742572140681234676 14345658006221440202\n")
    }

    @Test func bytecodeFromArgumentAndStdin() throws {
        let vectors = try Vectors.load([BytecodeVector].self, "state-tree/smt-hash-bytecode.json")
        for v in vectors.prefix(4) {
            let r = try CLIRunner.run(["hash", "bytecode", v.bytecode])
            #expect(r.status == 0 && r.stdout == v.expectedHash + "\n", "\(r.stderr)")
            let prefixed = try CLIRunner.run(["hash", "bytecode", "0x" + v.bytecode])
            #expect(prefixed.stdout == v.expectedHash + "\n")
        }
        let longest = vectors.max { $0.bytecode.count < $1.bytecode.count }!
        let piped = try CLIRunner.run(["hash", "bytecode", "-"], stdin: longest.bytecode + "\n")
        #expect(piped.status == 0 && piped.stdout == longest.expectedHash + "\n", "\(piped.stderr)")
    }

    /// Bad input: exit 64 and exactly one line on stderr naming the argument.
    @Test(arguments: [
        (["hash", "poseidon", "1", "2", "3"], "<elements>"),
        (["hash", "poseidon"] + Array(repeating: "0", count: 13), "<elements>"),
        (["hash", "poseidon"] + Array(repeating: "0", count: 11) + ["18446744069414584321"], "E11"),
        (["hash", "poseidon", "0", "x1"] + Array(repeating: "0", count: 10), "E1"),
        (["hash", "bytecode", "0xabc"], "<hex>"),
        (["hash", "bytecode", "0xzz"], "<hex>"),
    ])
    func badInputExits64(arguments: [String], argumentName: String) throws {
        let r = try CLIRunner.run(arguments)
        #expect(r.status == 64)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.contains(argumentName), "stderr: \(r.stderr)")
    }

    @Test func badStdinExits64() throws {
        let r = try CLIRunner.run(["hash", "bytecode", "-"], stdin: "0x12g4")
        #expect(r.status == 64)
        #expect(r.stderr.contains("stdin"))
    }

    @Test func everyCommandHasHelp() throws {
        for command in [["--help"], ["hash", "--help"], ["hash", "poseidon", "--help"], ["hash", "bytecode", "--help"]] {
            let r = try CLIRunner.run(command)
            #expect(r.status == 0 && r.stdout.contains("USAGE"), "\(command)")
        }
    }
}

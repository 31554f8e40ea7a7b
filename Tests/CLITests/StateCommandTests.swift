import Foundation
import Testing
import TestSupport

private func temporaryFile(_ contents: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkstate-\(UUID().uuidString).json")
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

@Suite("zkstate genesis, key, proof, verify, smt apply")
struct StateCommandTests {
    @Test func genesisPrintsTheMainnetRoot() throws {
        let r = try CLIRunner.run(["genesis", Vectors.url("state-tree/mainnet-genesis.json").path, "--check"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "0x3f86b09b43e3e49a41fc20a07579b79eba044253367817d5c241d23c0e2bc5c9\n")
    }

    @Test func genesisOfTheVectorListPrintsOneRootPerCase() throws {
        let path = Vectors.url("state-tree/smt-full-genesis.json").path
        let r = try CLIRunner.run(["genesis", path, "--check"])
        #expect(r.status == 0, "\(r.stderr)")
        struct Case: Decodable { let expectedRoot: String }
        let cases = try Vectors.load([Case].self, "state-tree/smt-full-genesis.json")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == cases.count)
        for (line, c) in zip(lines, cases) {
            // The file gives decimal roots; the CLI prints h4toString hex of the same integer.
            #expect(line.hasPrefix("0x") && line.count == 66)
            #expect(try hexToDecimal(String(line)) == c.expectedRoot)
        }
    }

    @Test func keysInBothForms() throws {
        let address = "0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFFf"
        struct KeyVector: Decodable { let ethAddr: String; let expectedKey: String; let storagePosition: String? }
        let balance = try Vectors.load([KeyVector].self, "state-tree/smt-key-eth-balance.json")
        for v in balance {
            let r = try CLIRunner.run(["key", "balance", v.ethAddr, "--decimal"])
            #expect(r.stdout == v.expectedKey + "\n")
            let hex = try CLIRunner.run(["key", "balance", v.ethAddr])
            #expect(try hexToDecimal(hex.stdout.trimmingCharacters(in: .newlines)) == v.expectedKey)
        }
        let storage = try Vectors.load([KeyVector].self, "state-tree/smt-key-contract-storage.json")
        for v in storage {
            let r = try CLIRunner.run(["key", "storage", v.ethAddr, v.storagePosition!, "--decimal"])
            #expect(r.stdout == v.expectedKey + "\n")
        }
        struct Typed: Decodable { let ethAddr: String; let expectedKey: String }
        for (field, file) in [("nonce", "smt-key-eth-nonce.json"), ("code", "smt-key-contract-code.json"),
                              ("length", "smt-key-contract-length.json")] {
            for v in try Vectors.load([Typed].self, "state-tree/\(file)") {
                let r = try CLIRunner.run(["key", field, v.ethAddr, "--decimal"])
                #expect(r.stdout == v.expectedKey + "\n", "\(field) \(v.ethAddr)")
            }
        }
        let max = try CLIRunner.run(["key", "balance", address])
        #expect(max.status == 0 && max.stdout.count == 67)
    }

    @Test func proofRoundTripAndTampering() throws {
        let genesis = Vectors.url("state-tree/mainnet-genesis.json").path
        let root = "0x3f86b09b43e3e49a41fc20a07579b79eba044253367817d5c241d23c0e2bc5c9"
        // A present key (the bridge proxy's balance) and an absent one.
        let present = try CLIRunner.run(["key", "balance", "0x2a3DD3EB832aF982ec71669E178424b10Dca2EDe"]).stdout
            .trimmingCharacters(in: .newlines)
        for key in [present, "12345"] {
            let proof = try CLIRunner.run(["proof", "--genesis", genesis, "--key", key])
            #expect(proof.status == 0, "\(proof.stderr)")
            let path = try temporaryFile(proof.stdout)
            let ok = try CLIRunner.run(["verify", path, "--root", root])
            #expect(ok.status == 0 && ok.stdout == "valid\n", "\(ok.stdout)\(ok.stderr)")
            // Another root, and an altered sibling, both fail with exit 1.
            let wrongRoot = try CLIRunner.run(["verify", path, "--root", "0x" + String(repeating: "0", count: 63) + "1"])
            #expect(wrongRoot.status == 1 && wrongRoot.stdout.hasPrefix("invalid"))
            var object = try JSONSerialization.jsonObject(with: Data(proof.stdout.utf8)) as! [String: Any]
            var siblings = object["siblings"] as! [String]
            siblings[0] = "0x" + String(repeating: "0", count: 63) + "7"
            object["siblings"] = siblings
            let tampered = try temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
            let bad = try CLIRunner.run(["verify", tampered, "--root", root])
            #expect(bad.status == 1, "\(bad.stdout)")
        }
        #expect(try CLIRunner.run(["key", "balance", "0x2a3DD3EB832aF982ec71669E178424b10Dca2EDe"]).status == 0)
    }

    @Test func smtApplyPrintsRootAndMode() throws {
        struct RawCase: Decodable { let keys: [String]; let values: [String]; let expectedRoot: String }
        let cases = try Vectors.load([RawCase].self, "state-tree/smt-raw.json")
        for c in cases {
            let ops = zip(c.keys, c.values).map { #"{"key": "\#($0)", "value": "\#($1)"}"# }.joined(separator: ",")
            let r = try CLIRunner.run(["smt", "apply", "-"], stdin: "[\(ops)]")
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count == c.keys.count)
            #expect(lines.last?.split(separator: " ").first.map(String.init) == c.expectedRoot)
        }
        let modes = try CLIRunner.run(["smt", "apply", "-"], stdin: #"[{"key":"1","value":"5"},{"key":"0x2","value":"7"},{"key":"1","value":"0"},{"key":"2","value":"0"},{"key":"9","value":"0"}]"#)
        #expect(modes.stdout.split(separator: "\n").map { $0.split(separator: " ")[1] } ==
                ["insertNotFound", "insertFound", "deleteFound", "deleteNotFound", "zeroToZero"])
    }

    /// Bad input: exit 64, one line on stderr naming what is wrong, nothing on stdout.
    @Test(arguments: [
        (["genesis", "/nonexistent/genesis.json"], "not found"),
        (["genesis", "-"], "$.genesis[0].address"),
        (["key", "balance", "0x1234"], "<address>"),
        (["key", "storage", "0x0000000000000000000000000000000000000001", "0xzz"], "<slot>"),
        (["key", "storage", "0x0000000000000000000000000000000000000001"], "<slot>"),
        (["key", "nonce", "0x0000000000000000000000000000000000000001", "5"], "<slot>"),
        (["proof", "--genesis", "-", "--key", "1"], "$.genesis[0].address"),
        (["smt", "apply", "-"], "$[1].value"),
        (["verify", "-", "--root", "0x12"], "--root"),
        (["key", "bogus", "0x0000000000000000000000000000000000000001"], "bogus"),
        (["genesis"], "<file>"),
    ])
    func badInputExits64(arguments: [String], needle: String) throws {
        let stdin: String
        switch arguments[0] {
        case "smt": stdin = #"[{"key":"1","value":"5"},{"key":"2","value":"-3"}]"#
        default: stdin = #"{"genesis": [{"address": "0xnothex", "balance": "1"}]}"#
        }
        let r = try CLIRunner.run(arguments, stdin: stdin)
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(needle), "\(r.stderr)")
    }

    @Test func malformedProofNamesTheField() throws {
        let r = try CLIRunner.run(["verify", "-", "--root", "0x" + String(repeating: "0", count: 64)],
                                  stdin: #"{"key": "0x01", "value": "0", "siblings": [], "terminal": "empty"}"#)
        #expect(r.status == 64 && r.stderr.contains("$.key"), "\(r.stderr)")
    }
}

/// Converts 0x-hex to decimal with plain long division (independent of the code under test).
func hexToDecimal(_ hex: String) throws -> String {
    var digits: [UInt8] = [0]  // little-endian base-10 digits
    for c in hex.dropFirst(2) {
        var carry = UInt32(try #require(c.hexDigitValue))
        for i in digits.indices {
            let v = UInt32(digits[i]) * 16 + carry
            digits[i] = UInt8(v % 10)
            carry = v / 10
        }
        while carry > 0 { digits.append(UInt8(carry % 10)); carry /= 10 }
    }
    while digits.count > 1 && digits.last == 0 { digits.removeLast() }
    return String(digits.reversed().map { Character(String($0)) })
}

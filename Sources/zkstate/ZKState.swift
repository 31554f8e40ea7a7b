import ArgumentParser
import Foundation
import HashDB

/// The `zkstate` command line: Polygon zkEVM state tools.
@main
struct ZKState: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkstate",
        abstract: "Polygon zkEVM L2 state tools: Poseidon over Goldilocks, the state tree and its stores.",
        subcommands: [HashCommand.self, GenesisCommand.self, KeyCommand.self, ProofCommand.self, VerifyCommand.self, SMTCommand.self,
                      GetCommand.self, AccountCommand.self, DBCommand.self, ServeCommand.self, TraceCommand.self]
    )

    /// Runs the command; a ``UsageError`` becomes one line on stderr and exit code 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("zkstate: \(error)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch let error as HashDBError {
            FileHandle.standardError.write(Data("zkstate: \(error)\n".utf8))
            if case .invalidConfiguration = error { Foundation.exit(ExitCode.validationFailure.rawValue) }
            Foundation.exit(ExitCode.failure.rawValue)
        } catch {
            // --help, --version and plain exit codes keep ArgumentParser's behaviour; a parse
            // error is one line (no usage block), with ArgumentParser's exit code (64).
            let code = exitCode(for: error)
            let message = self.message(for: error)
            guard code == .validationFailure, !message.isEmpty else { exit(withError: error) }
            let line = message.split(separator: "\n").first.map(String.init) ?? message
            FileHandle.standardError.write(Data("zkstate: \(line)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// Bad input from the user: printed as one line naming the argument, exit code 64 (EX_USAGE).
struct UsageError: Error, CustomStringConvertible {
    /// The argument, option or file field at fault.
    let argument: String
    /// What was wrong and what was expected.
    let reason: String

    /// One line: control characters from user text are escaped so they cannot break it.
    var description: String {
        "\(argument): \(reason)".unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
    }
}

import Foundation
import Synchronization
import Goldilocks
import SMT
import ZKEVMState

/// Reading user input: every failure becomes a ``UsageError`` naming the argument.
enum Input {
    /// The bytes of `path` ('-' reads standard input).
    static func file(_ path: String, argument: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard FileManager.default.fileExists(atPath: path) else {
            throw UsageError(argument: argument, reason: "file '\(path)' not found")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError(argument: argument, reason: "file '\(path)' cannot be read")
        }
        return data
    }

    /// A JSON document.
    static func json(_ data: Data, argument: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw UsageError(argument: argument, reason: "not valid JSON")
        }
    }

    /// A tree key: a 256-bit integer (decimal or 0x-hex) split into four 64-bit limbs.
    static func key(_ text: String, argument: String) throws -> SMTKey {
        do {
            return try Digest(scalar: UInt256(parsing: text))
        } catch {
            throw UsageError(argument: argument, reason: "'\(text)' is not a key (decimal or 0x-hex, each 64-bit limb < p): \(error)")
        }
    }

    /// A 256-bit integer, decimal or 0x-hex.
    static func scalar(_ text: String, argument: String) throws -> UInt256 {
        do {
            return try UInt256(parsing: text)
        } catch {
            throw UsageError(argument: argument, reason: "'\(text)': \(error)")
        }
    }

    /// A state root: 0x + 64 hex digits (or a decimal scalar).
    static func root(_ text: String, argument: String) throws -> NodeHash {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            do { return try Digest(hexString: text) } catch {
                throw UsageError(argument: argument, reason: "'\(text)' is not a root (0x + 64 hex digits): \(error)")
            }
        }
        return try key(text, argument: argument)
    }

    /// An Ethereum address.
    static func address(_ text: String, argument: String) throws -> Address {
        do { return try Address(hex: text) } catch { throw UsageError(argument: argument, reason: "\(error)") }
    }

    /// Genesis accounts from a file.
    static func genesis(_ path: String, argument: String) throws -> [Genesis] {
        let data = try file(path, argument: argument)
        do {
            return try Genesis.parse(data)
        } catch {
            throw UsageError(argument: argument, reason: "\(path): \(error)")
        }
    }
}

/// Prints a progress bar on stderr while a long job runs (only once it has run for a second).
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let start = Date()
    private(set) var shown = false

    init(_ label: String) { self.label = label }

    /// Bars are drawn only for a person watching: when stderr is a terminal.
    private let interactive = isatty(STDERR_FILENO) == 1

    /// Shows `done` out of `total` if the job has been running for more than a second.
    func update(_ done: Int, of total: Int) {
        guard interactive, Date().timeIntervalSince(start) > 1, total > 0 else { return }
        shown = true
        let width = 30
        let filled = min(width, width * done / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(100 * done / total)%".utf8))
    }

    /// Ends the bar's line if one was shown.
    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// Runs `work` on another thread and reports `progress` until it ends.
    static func run<T: Sendable>(_ label: String, progress: BatchProgress, _ work: @escaping @Sendable () throws -> T) throws -> T {
        let bar = ProgressBar(label)
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.result = Result { try work() }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            bar.update(progress.completed, of: progress.total.load(ordering: .relaxed))
        }
        if bar.shown { bar.update(1, of: 1) }
        bar.finish()
        return try box.result!.get()
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

import Foundation
import Goldilocks
import PIL
import SMT
import StorageSM
import Testing
import TestSupport

/// Long random runs and lying actions, judged by the independent PIL checker (every namespace but
/// Main) rather than by the executor's own bookkeeping.
@Suite(.serialized) struct RandomizedTraceCheckTests {
    typealias Fixture = ExecutorTraceCheckTests

    static let p = Fixture.p

    static func executor() throws -> StorageExecutor {
        StorageExecutor(rom: try .init(contentsOf: Fixture.directory.appendingPathComponent("storage_sm_rom.json")))
    }

    /// Executes `actions` at N = 2^`nBits` and checks the three traces; returns the failures.
    static func check(_ actions: [SMTAction], nBits: Int) throws -> [ConstraintFailure] {
        let traces = try executor().execute(actions, rowCount: 1 << nBits).traces()
        let data = try Fixture.columnData(traces, rowCount: 1 << nBits)
        return try Fixture.checker(maxFailures: 2).check(data, namespaces: Fixture.namespaces)
    }

    /// Keys that stress the tree: random ones, limbs at the top of the field (p − 1, p − 2, high
    /// bits set), pairs that differ only in the last path bit (bit 63 of limb 3, depth 255), and
    /// small-limb keys sharing long prefixes.
    static func keyPool(_ rng: inout SplitMix64) -> [SMTKey] {
        var keys: [SMTKey] = []
        for _ in 0..<150 {
            keys.append(Digest(canonical: rng.next() % p, rng.next() % p, rng.next() % p, rng.next() % p))
        }
        for _ in 0..<12 {
            keys.append(Digest(canonical: rng.next() % 16, rng.next() % 16, rng.next() % 16, rng.next() % 16))
        }
        keys.append(Digest(canonical: p - 1, p - 1, p - 1, p - 1))
        keys.append(Digest(canonical: p - 2, p - 1, p - 2, p - 1))
        keys.append(Digest(canonical: 0xFFFF_FFFF_0000_0000, 1 << 63, 0xF000_0000_0000_0000, 0x8000_0000_0000_0001))
        for _ in 0..<2 {
            // Equal in every path bit but the last: a chain down to depth 255 on insertFound.
            let limbs = (0..<3).map { _ in rng.next() % p }
            let low = rng.next() & 0x0FFF_FFFF_FFFF_FFFF
            keys.append(Digest(canonical: limbs[0], limbs[1], limbs[2], low))
            keys.append(Digest(canonical: limbs[0], limbs[1], limbs[2], low | 1 << 63))
        }
        return keys
    }

    /// `d` with its first limb moved by one (still canonical).
    static func bumped(_ d: Digest) -> Digest {
        Digest(canonical: (d.e0.value + 1) % p, d.e1.value, d.e2.value, d.e3.value)
    }

    /// Values of every shape: zero, small, 2^256 − 1, one high limb only, full width.
    static func value(_ rng: inout SplitMix64) -> UInt256 {
        switch rng.next() % 6 {
        case 0: return .zero
        case 1: return UInt256(rng.next() % 1000 + 1)
        case 2: return UInt256(.max, .max, .max, .max)
        case 3: return UInt256(0, 0, 0, rng.next() | 1 << 63)
        case 4: return UInt256(0, 0, rng.next() | 1, 0)
        default: return UInt256(rng.next(), rng.next(), rng.next(), rng.next())
        }
    }

    @Test func thousandsOfRandomActionsOnDeepTreesPassTheChecker() throws {
        let seed = ProcessInfo.processInfo.environment["ZKSTATE_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0 ... UInt64.max)
        print("RandomizedTraceCheckTests seed: \(seed) (ZKSTATE_SEED=\(seed) replays)")
        var rng = SplitMix64(seed: seed)
        let pool = Self.keyPool(&rng)
        var recorder = SMTActionRecorder(tree: SparseMerkleTree())
        var root = NodeHash.zero
        // Fill most of the pool first (deep pairs included), then mix every kind of action.
        for (i, key) in pool.enumerated() where i >= pool.count - 4 || rng.next() % 4 != 0 {
            root = try recorder.set(root: root, key: key, value: UInt256(rng.next() | 1)).newRoot
        }
        for _ in 0..<2_000 {
            let key = pool[Int(rng.next() % UInt64(pool.count))]
            switch rng.next() % 8 {
            case 0, 1: try recorder.get(root: root, key: key)
            case 2: root = try recorder.set(root: root, key: key, value: .zero).newRoot
            default: root = try recorder.set(root: root, key: key, value: Self.value(&rng)).newRoot
            }
        }
        let actions = recorder.actions
        let kinds = Set(actions.map(\.kind))
        #expect(kinds.count == 7, "seed \(seed): every SET mode and GETs occur, got \(kinds)")
        #expect(actions.contains { $0.siblings.count >= 200 }, "seed \(seed): a path reaches depth 200+")
        // The smallest N holding the PoseidonG rows (31 per hash), which outnumber the others.
        let hashes = actions.reduce(0) { $0 + $1.proofHashCounter }
        let nBits = max(16, Int.bitWidth - (31 * (hashes + 2)).leadingZeroBitCount)
        let failures = try Self.check(actions, nBits: nBits)
        #expect(failures.isEmpty, "seed \(seed), \(actions.count) actions, N = 2^\(nBits): \(failures)")
    }

    /// The every-mode actions with one field of one action changed: the executor refuses the
    /// action, or the checker rejects the trace; a lie never passes silently.
    @Test(arguments: ["sibling", "value", "oldValue", "mode", "insValue", "siblingChild", "newRoot"])
    func aLyingActionNeverPasses(field: String) throws {
        let honest = try Fixture.everyModeActions()
        var lied = 0
        for index in honest.indices {
            var actions = honest
            var action = actions[index]
            switch field {
            case "sibling":
                // The real sibling: the child off the key's path (the other one is recomputed).
                guard let level = action.siblings.indices.last else { continue }
                let side = 1 - action.key.pathBit(at: level)
                guard !action.siblings[level][side].isZero else { continue }
                action.siblings[level][side] = Self.bumped(action.siblings[level][side])
            case "value":
                guard action.isSet, !action.newValue.isZero else { continue }
                action.newValue = UInt256(action.newValue.words.0 ^ 2, action.newValue.words.1, action.newValue.words.2, action.newValue.words.3)
            case "oldValue":
                guard action.mode == .update else { continue }
                action.oldValue = UInt256(action.oldValue.words.0 ^ 4, action.oldValue.words.1, action.oldValue.words.2, action.oldValue.words.3)
            case "mode":
                guard let mode = action.mode else { continue }
                action.kind = .set(mode == .insertNotFound ? .update : .insertNotFound)
            case "insValue":
                guard !action.isOld0 else { continue }
                action.insValue = UInt256(action.insValue.words.0 ^ 8, action.insValue.words.1, action.insValue.words.2, action.insValue.words.3)
            case "siblingChild":
                guard !action.siblingLeftChild.isZero else { continue }
                action.siblingLeftChild = Self.bumped(action.siblingLeftChild)
            default:
                guard action.isSet, action.newRoot != action.oldRoot else { continue }
                action.newRoot = Self.bumped(action.newRoot)
            }
            actions[index] = action
            lied += 1
            let failures: [ConstraintFailure]
            do {
                failures = try Self.check(actions, nBits: 12)
            } catch {
                continue  // the executor (or a trace builder) refused the lie, naming it
            }
            #expect(!failures.isEmpty, "action \(index) (\(honest[index].kind)) with a wrong \(field) passed")
        }
        #expect(lied > 0, "no action has a \(field) to change")
    }
}

import Testing
import Goldilocks
import SMT
import StorageSM

@Suite("SMTAction and its context")
struct SMTActionTests {
    /// An action over `key` with `s` dummy sibling levels, adjusted by `edit`.
    static func action(_ kind: SMTAction.Kind, key: SMTKey, siblings s: Int, insKey: SMTKey = .zero) throws -> SMTAction {
        var a = SMTAction(try SparseMerkleTree().get(root: .zero, key: key))
        a.kind = kind
        a.siblings = Array(repeating: Branch(left: .zero, right: .zero), count: s)
        a.insKey = insKey
        return a
    }

    // key limbs 0b1011, 0b0110, 0b0000, 0b0001: path bits by depth (limb d mod 4, bit d div 4):
    // d0 = 1, d1 = 0, d2 = 0, d3 = 1, d4 = 1, d5 = 1, d6 = 0, d7 = 0, d8 = 0, d9 = 1 …
    static let key = Digest(canonical: 0b1011, 0b0110, 0, 1)

    @Test("S-level context (GET): bits of depths 0..<S, S bits removed")
    func sLevelContext() throws {
        let ctx = try SMTActionContext(Self.action(.get, key: Self.key, siblings: 5), actionIndex: 0)
        #expect(ctx.level == 5)
        #expect(ctx.bits == [1, 0, 0, 1, 1])
        // Limb 0 lost 2 bits (depths 0, 4), limbs 1–3 one each.
        #expect(ctx.rkey == Digest(canonical: 0b10, 0b011, 0, 0))
        #expect(ctx.siblingRkey == .zero)
        let none = try SMTActionContext(Self.action(.set(.insertNotFound), key: Self.key, siblings: 0), actionIndex: 0)
        #expect(none.level == 0 && none.bits.isEmpty && none.rkey == Self.key)
    }

    @Test("found modes: D = first differing depth + 1, both keys lose D bits")
    func foundContext() throws {
        // insKey differs from key first at depth 5 (limb 1, bit 1), and later in limb 2.
        let insKey = Digest(canonical: 0b1011, 0b0100, 0b100, 1)
        for mode in [SetMode.insertFound, .deleteFound] {
            let ctx = try SMTActionContext(Self.action(.set(mode), key: Self.key, siblings: 2, insKey: insKey), actionIndex: 3)
            #expect(ctx.level == 6)
            #expect(ctx.bits == [1, 0, 0, 1, 1, 1])
            #expect(ctx.rkey == Digest(canonical: 0b10, 0b1, 0, 0))
            #expect(ctx.siblingRkey == Digest(canonical: 0b10, 0b1, 0b10, 0))
        }
    }

    @Test("inconsistent found actions are typed errors naming the action")
    func foundErrors() throws {
        #expect(throws: StorageExecutorError.invalidAction(index: 4, field: "insKey", reason: "equals the key: no differing bit")) {
            try SMTActionContext(Self.action(.set(.insertFound), key: Self.key, siblings: 1, insKey: Self.key), actionIndex: 4)
        }
        let early = Digest(canonical: 0b1010, 0b0110, 0, 1)  // differs at depth 0
        #expect(throws: StorageExecutorError.invalidAction(index: 2, field: "insKey", reason: "first differing depth 0 is above the 3 sibling levels")) {
            try SMTActionContext(Self.action(.set(.deleteFound), key: Self.key, siblings: 3, insKey: early), actionIndex: 2)
        }
    }

    @Test("the recorder keeps actions in order, with the SMT's fields")
    func recorder() throws {
        var recorder = SMTActionRecorder(tree: SparseMerkleTree())
        let k1 = Digest(canonical: 1, 0, 0, 0), k2 = Digest(canonical: 3, 0, 0, 0)
        let r1 = try recorder.set(root: .zero, key: k1, value: UInt256(100)).newRoot
        let r2 = try recorder.set(root: r1, key: k2, value: UInt256(200)).newRoot
        try recorder.get(root: r2, key: k1)
        let actions = recorder.actions
        #expect(actions.map(\.kind) == [.set(.insertNotFound), .set(.insertFound), .get])
        #expect(actions[1].insKey == k1 && actions[1].insValue == UInt256(100) && !actions[1].isOld0)
        #expect(actions[1].oldRoot == r1 && actions[1].newRoot == r2)
        #expect(actions[2].root == r2 && actions[2].value == UInt256(100) && actions[2].siblings.count == 5)
        #expect(actions[0].insKey == .zero && actions[0].isOld0)
        recorder.removeAllActions()
        #expect(recorder.actions.isEmpty)
    }
}

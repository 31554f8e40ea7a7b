import Goldilocks
import Poseidon
import SMT

/// An account as the state tree stores it.
public struct Account: Sendable, Equatable {
    /// The address.
    public var address: Address
    /// Balance in wei.
    public var balance: UInt256
    /// Nonce.
    public var nonce: UInt256
    /// Contract bytecode, nil for an account without code.
    public var bytecode: [UInt8]?
    /// Storage slots (slot -> value); zero values are absent from the tree.
    public var storage: [UInt256: UInt256]

    /// An account from its parts.
    public init(address: Address, balance: UInt256 = .zero, nonce: UInt256 = .zero,
                bytecode: [UInt8]? = nil, storage: [UInt256: UInt256] = [:]) {
        self.address = address
        self.balance = balance
        self.nonce = nonce
        self.bytecode = bytecode
        self.storage = storage
    }

    /// The tree writes that store this account (spec §11): balance, nonce, then code hash and
    /// length when it has code, then its storage slots. Zero values delete (or are no-ops).
    public var writes: [(SMTKey, UInt256)] {
        var out: [(SMTKey, UInt256)] = [
            (StateKey.balance(address), balance),
            (StateKey.nonce(address), nonce),
        ]
        if let code = bytecode {
            out.append((StateKey.codeHash(address), Poseidon.hashBytecode(code).scalar))
            out.append((StateKey.codeLength(address), UInt256(UInt64(code.count))))
        }
        for (slot, value) in storage.sorted(by: { $0.key < $1.key }) {
            out.append((StateKey.storage(address, slot: slot), value))
        }
        return out
    }
}

/// What a read of an account under a root returns.
public struct AccountState: Sendable, Equatable {
    /// Balance in wei.
    public var balance: UInt256
    /// Nonce.
    public var nonce: UInt256
    /// Code hash as stored (0 when the account has no code).
    public var codeHash: UInt256
    /// Code length in bytes.
    public var codeLength: UInt256
    /// The requested storage slots (slot -> value, 0 when absent).
    public var storage: [UInt256: UInt256]
}

/// The account layer over a state tree.
public struct ZKEVMState<Store: NodeStore>: Sendable {
    /// The tree underneath.
    public let tree: SparseMerkleTree<Store>

    /// Account state over `tree`.
    public init(tree: SparseMerkleTree<Store>) {
        self.tree = tree
    }

    /// Reads `address` under `root`, with the storage `slots` asked for.
    public func account(root: NodeHash, _ address: Address, slots: [UInt256] = []) throws(StateError) -> AccountState {
        func read(_ key: SMTKey) throws(StateError) -> UInt256 {
            do { return try tree.get(root: root, key: key).value } catch { throw .tree(error) }
        }
        var storage: [UInt256: UInt256] = [:]
        for slot in slots { storage[slot] = try read(StateKey.storage(address, slot: slot)) }
        return AccountState(balance: try read(StateKey.balance(address)), nonce: try read(StateKey.nonce(address)),
                            codeHash: try read(StateKey.codeHash(address)),
                            codeLength: try read(StateKey.codeLength(address)), storage: storage)
    }

    /// Writes whole accounts on top of `root` in one batch; returns the new root.
    public func write(_ accounts: [Account], root: NodeHash = .zero, progress: BatchProgress? = nil) throws(StateError) -> NodeHash {
        let writes = accounts.flatMap(\.writes)
        do { return try tree.setMany(root: root, writes, progress: progress) } catch { throw .tree(error) }
    }
}

import Goldilocks
import Poseidon
import SMT

/// What a leaf of the state tree holds (the `T` of the key derivation, spec state-tree §8).
public enum LeafType: UInt64, Sendable, CaseIterable {
    /// Account balance in wei.
    case balance = 0
    /// Account nonce.
    case nonce = 1
    /// Contract code hash (the linear Poseidon of the bytecode, as a 256-bit integer).
    case codeHash = 2
    /// One storage slot of a contract.
    case storage = 3
    /// Contract code length in bytes.
    case codeLength = 4
}

/// The keys of the zkEVM state tree:
///
/// ```
///  addr8 = scalar2fea(address)                   (addr8[0] = the address's last 4 bytes)
///  key   = H([addr8[0…5], T, 0]; capacity)
///  capacity = H(0^8; 0^4)                         balance, nonce, code hash, code length
///             H(scalar2fea(slot); 0^4)            storage slot
/// ```
public enum StateKey {
    /// `H(0^8; 0^4)`, the capacity of account keys (`HASH_POSEIDON_ALL_ZEROES`).
    public static let allZeroesHash = Poseidon.hash(FieldElements8(repeating: .zero))

    /// The key of `type` for `address`; `slot` is used by storage keys only.
    public static func key(_ type: LeafType, _ address: Address, slot: UInt256 = .zero) -> SMTKey {
        let a = address.scalar.u32Limbs
        let input: FieldElements8 = [a[0], a[1], a[2], a[3], a[4], a[5], FieldElement(canonical: type.rawValue), .zero]
        let capacity = type == .storage ? Poseidon.hashValue(slot) : allZeroesHash
        return Poseidon.hash(input, capacity: capacity)
    }

    /// The balance key of `address`.
    public static func balance(_ address: Address) -> SMTKey { key(.balance, address) }
    /// The nonce key of `address`.
    public static func nonce(_ address: Address) -> SMTKey { key(.nonce, address) }
    /// The code-hash key of `address`.
    public static func codeHash(_ address: Address) -> SMTKey { key(.codeHash, address) }
    /// The code-length key of `address`.
    public static func codeLength(_ address: Address) -> SMTKey { key(.codeLength, address) }
    /// The key of storage `slot` of `address`.
    public static func storage(_ address: Address, slot: UInt256) -> SMTKey { key(.storage, address, slot: slot) }
}

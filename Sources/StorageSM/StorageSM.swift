/// The storage state machine: the execution trace of the SMT actions of a batch (spec storage-sm).
public enum StorageSM {}

import Synchronization

/// A mutex that can live in an array (`Mutex` itself cannot be copied).
final class Locked<State: ~Copyable>: Sendable where State: Sendable {
    let mutex: Mutex<State>

    init(_ state: consuming sending State) { mutex = Mutex(state) }

    @inline(__always)
    func withLock<R, E: Error>(_ body: (inout sending State) throws(E) -> sending R) throws(E) -> R {
        try mutex.withLock(body)
    }
}

#ifndef ZKSTATE_CPREFETCH_H
#define ZKSTATE_CPREFETCH_H

/// Asks the CPU to start loading the cache line holding `address` for reading, without waiting
/// for it and without faulting. Swift has no prefetch of its own, and a plain load whose result
/// is unused is removed by the optimizer.
static inline __attribute__((always_inline)) void zkstate_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// The same for a line about to be written.
static inline __attribute__((always_inline)) void zkstate_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif

#ifndef TRIAGE_PREFETCH_H
#define TRIAGE_PREFETCH_H

/// Asks the CPU to start bringing the cache line that holds `address` into
/// cache, without waiting for it. A hint: it never faults, even on an
/// address outside any mapping, and changes no value. Inline, so a Swift
/// loop that calls it compiles to the single prefetch instruction.
static inline __attribute__((always_inline)) void triage_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif

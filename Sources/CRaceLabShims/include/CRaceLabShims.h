#ifndef CRACELAB_SHIMS_H
#define CRACELAB_SHIMS_H

#include <stdint.h>

/// Writes the ids of the CPUs this process may run on (its affinity mask) into
/// `out`, at most `capacity` of them, and returns how many there are.
/// Returns -1 where affinity cannot be read (then the caller falls back to sysconf).
int racelab_allowed_cpus(int32_t *out, int32_t capacity);

/// Pins the calling thread to one CPU. Returns 0 or an errno value.
int racelab_pin_current_thread(int32_t cpu);


/// Remembers a running child's process group, so an interrupt can kill it.
/// Async-signal-safe bookkeeping: a fixed table of atomics.
void racelab_track_child(int32_t pid);
void racelab_untrack_child(int32_t pid);

/// What is running now, for the interrupt message ("counter: unsafe, run 2 of 5").
void racelab_set_activity(const char *text);

/// Installs SIGINT and SIGTERM handlers that kill every tracked child's process
/// group, say on stderr what was interrupted, and exit 130 (SIGINT) or 143 (SIGTERM).
void racelab_install_interrupt_handlers(void);

/// Burns `steps` iterations of an empty loop the optimiser must keep, to widen
/// the window between a read and its write-back (`--work`). Inline, no call cost.
static inline void racelab_spin(int64_t steps) {
    for (int64_t i = 0; i < steps; i++) __asm__ __volatile__("" ::: "memory");
}

#endif

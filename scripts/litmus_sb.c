// litmus_sb.c: the C twin of `racelab litmus sb`, for scripts/bench.sh.
//
// The same shape as racelab's runner (Sources/RaceLabScenarios/Litmus/LitmusRunner.swift and
// Sources/RaceLab/Workers/IterationGate.swift), step for step:
//   - two threads pinned to the first two allowed CPUs;
//   - fresh locations every iteration: a batch of 1,024 iterations' worth of x and y,
//     each on its own 64-byte line, zeroed by thread 0 between batches;
//   - before each iteration both threads read its x and y (litmus7's prefetch);
//   - then the gate: thread 1 publishes its arrival and waits for thread 0's go
//     (spinning with a pause hint); thread 0 waits for the arrival, sets a start time
//     LEAD_NS ahead on the TSC (the generic timer on ARM64) and publishes it with the
//     go; both spin until the timebase reaches it;
//   - T0: x = 1; r0 = y.   T1: y = 1; r1 = x.   (registers kept per iteration)
//   - after a batch: a gate, thread 0 tallies and zeroes, a gate.
// The orderings are compile-time constants, as in racelab (a memory_order held in a
// variable makes a C compiler emit seq_cst code).
//
//   cc -O2 -pthread -o scripts/bin/litmus_sb scripts/litmus_sb.c
//   scripts/bin/litmus_sb relaxed|acquire-release|seq_cst [iterations]
//
// Prints one line: "<weak> <iterations> <seconds>", weak = iterations that ended
// r0=0 r1=0, seconds from the threads' creation to their join.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// The pause hint and the timebase are racelab's own (racelab_cpu_relax,
// racelab_timebase), so the twin starts its threads exactly as racelab does.
#include "../Sources/CRaceLabShims/include/CRaceLabShims.h"

#define BATCH 1024
#define SLOT 64
#define LEAD_NS 300.0
#define SPIN_LIMIT 10000

typedef struct { _Alignas(SLOT) atomic_long value; } slot_t;
typedef struct { _Alignas(128) atomic_long value; } padded_t;

static slot_t slots[BATCH * 2];
static padded_t generations[2];  // [0]: the go thread 0 released; [1]: thread 1's arrival
static padded_t start_time;
static unsigned char rows[2][BATCH];
static long iterations, weak;
static uint64_t lead_ticks;
static int cpus[2];

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void wait_for(int slot, long generation) {
    int spins = 0;
    while (atomic_load_explicit(&generations[slot].value, memory_order_acquire) < generation) {
        if (spins < SPIN_LIMIT) { spins++; racelab_cpu_relax(); } else sched_yield();
    }
}

static inline void pass(int me, long generation, int timed) {
    uint64_t start = 0;
    if (me == 0) {
        wait_for(1, generation);
        if (timed) {
            start = racelab_timebase() + lead_ticks;
            atomic_store_explicit(&start_time.value, (long)start, memory_order_relaxed);
        }
        atomic_store_explicit(&generations[0].value, generation, memory_order_release);
    } else {
        atomic_store_explicit(&generations[1].value, generation, memory_order_release);
        wait_for(0, generation);
        if (timed) start = (uint64_t)atomic_load_explicit(&start_time.value, memory_order_relaxed);
    }
    while (timed && racelab_timebase() < start) {}
}

#define THREAD(NAME, STORE, LOAD)                                                                 \
    static void *NAME(void *arg) {                                                                \
        int me = (int)(intptr_t)arg;                                                              \
        cpu_set_t set;                                                                            \
        CPU_ZERO(&set);                                                                           \
        CPU_SET(cpus[me], &set);                                                                  \
        pthread_setaffinity_np(pthread_self(), sizeof set, &set);                                 \
        long generation = 0, touched = 0;                                                         \
        for (long done = 0; done < iterations;) {                                                 \
            long n = iterations - done < BATCH ? iterations - done : BATCH;                       \
            for (long j = 0; j < n; j++) {                                                        \
                atomic_long *x = &slots[2 * j].value, *y = &slots[2 * j + 1].value;               \
                touched += atomic_load_explicit(x, memory_order_relaxed) +                        \
                           atomic_load_explicit(y, memory_order_relaxed);                         \
                pass(me, ++generation, 1);                                                        \
                if (me == 0) {                                                                    \
                    atomic_store_explicit(x, 1, STORE);                                           \
                    rows[0][j] = (unsigned char)atomic_load_explicit(y, LOAD);                    \
                } else {                                                                          \
                    atomic_store_explicit(y, 1, STORE);                                           \
                    rows[1][j] = (unsigned char)atomic_load_explicit(x, LOAD);                    \
                }                                                                                 \
            }                                                                                     \
            pass(me, ++generation, 0);                                                            \
            if (me == 0) {                                                                        \
                for (long j = 0; j < n; j++) weak += rows[0][j] == 0 && rows[1][j] == 0;          \
                for (long j = 0; j < 2 * n; j++)                                                  \
                    atomic_store_explicit(&slots[j].value, 0, memory_order_relaxed);              \
            }                                                                                     \
            pass(me, ++generation, 0);                                                            \
            done += n;                                                                            \
        }                                                                                         \
        return (void *)(intptr_t)(touched & 1);                                                   \
    }

THREAD(run_relaxed, memory_order_relaxed, memory_order_relaxed)
THREAD(run_acquire_release, memory_order_release, memory_order_acquire)
THREAD(run_seq_cst, memory_order_seq_cst, memory_order_seq_cst)

int main(int argc, char **argv) {
    void *(*body)(void *) = NULL;
    if (argc >= 2 && !strcmp(argv[1], "relaxed")) body = run_relaxed;
    if (argc >= 2 && !strcmp(argv[1], "acquire-release")) body = run_acquire_release;
    if (argc >= 2 && !strcmp(argv[1], "seq_cst")) body = run_seq_cst;
    if (!body) {
        fprintf(stderr, "usage: %s relaxed|acquire-release|seq_cst [iterations]\n", argv[0]);
        return 64;
    }
    iterations = argc > 2 ? atol(argv[2]) : 1000000;
    if (iterations < 1) { fprintf(stderr, "iterations must be at least 1\n"); return 64; }

    cpu_set_t allowed;
    sched_getaffinity(0, sizeof allowed, &allowed);
    int found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
        if (CPU_ISSET(c, &allowed)) cpus[found++] = c;
    if (found < 2) cpus[1] = cpus[0];

    // Calibrate the timebase against the monotonic clock over 2 ms, as racelab does.
    uint64_t c0 = now_ns(), t0 = racelab_timebase();
    while (now_ns() - c0 < 2000000) {}
    double ticks_per_ns = (double)(racelab_timebase() - t0) / (double)(now_ns() - c0);
    lead_ticks = found < 2 ? 0 : (uint64_t)(LEAD_NS * ticks_per_ns);

    uint64_t started = now_ns();
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, body, (void *)(intptr_t)i);
    for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
    double seconds = (double)(now_ns() - started) / 1e9;
    printf("%ld %ld %.3f\n", weak, iterations, seconds);
    return 0;
}

// litmus_sb.c: the C twin of `racelab litmus sb`, for scripts/bench.sh.
//
// The same shape as racelab's runner (Sources/RaceLab/Litmus/LitmusRunner.swift):
// two threads pinned to CPUs 0 and 1 (of the allowed set), a spinning barrier with
// a pause hint before every iteration (each thread publishes its own arrival
// count, then waits for the other's), fresh locations per iteration (a batch of
// BATCH iterations' worth of 64-byte slots, zeroed between batches), each thread
// touching the iteration's two locations before the barrier (litmus7's prefetch),
// registers recorded per iteration and tallied after the run.
//
//   cc -O2 -pthread -o scripts/bin/litmus_sb scripts/litmus_sb.c
//   scripts/bin/litmus_sb relaxed|acquire-release|seq_cst [iterations]
//
// Prints one line: "<weak> <iterations> <seconds>", weak = iterations that ended
// r0=0 r1=0.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 1024
#define SLOT 64     // bytes per location: x and y of one iteration on their own lines
#define PAD 128     // arrival counters: two cache lines each
#define SPIN_LIMIT 4096

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

typedef struct { _Alignas(SLOT) atomic_long value; } slot_t;
typedef struct { _Alignas(PAD) atomic_long count; } arrival_t;

static slot_t *slots;       // BATCH x 2 locations
static arrival_t arrivals[2];
static unsigned char *results[2];
static long iterations;
static memory_order load_order, store_order;
static int cpus[2];
static int oversubscribed;

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static long generation[2];

static void barrier(int me) {
    long g = ++generation[me];
    atomic_store_explicit(&arrivals[me].count, g, memory_order_release);
    int spins = 0;
    while (atomic_load_explicit(&arrivals[1 - me].count, memory_order_acquire) < g) {
        if (oversubscribed || ++spins > SPIN_LIMIT) sched_yield(); else relax();
    }
}

static void *thread(void *arg) {
    int me = (int)(intptr_t)arg;
    pin(cpus[me]);
    long sink = 0;
    for (long start = 0; start < iterations; start += BATCH) {
        long n = iterations - start < BATCH ? iterations - start : BATCH;
        barrier(me);
        for (long j = 0; j < n; j++) {
            atomic_long *x = &slots[2 * j].value, *y = &slots[2 * j + 1].value;
            sink += atomic_load_explicit(x, memory_order_relaxed) + atomic_load_explicit(y, memory_order_relaxed);
            barrier(me);
            if (me == 0) {
                atomic_store_explicit(x, 1, store_order);
                results[0][start + j] = (unsigned char)atomic_load_explicit(y, load_order);
            } else {
                atomic_store_explicit(y, 1, store_order);
                results[1][start + j] = (unsigned char)atomic_load_explicit(x, load_order);
            }
        }
        barrier(me);
        if (me == 0)
            for (long j = 0; j < 2 * n; j++) atomic_store_explicit(&slots[j].value, 0, memory_order_relaxed);
    }
    return (void *)(intptr_t)(sink & 1);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s relaxed|acquire-release|seq_cst [iterations]\n", argv[0]); return 64; }
    if (!strcmp(argv[1], "relaxed")) { load_order = memory_order_relaxed; store_order = memory_order_relaxed; }
    else if (!strcmp(argv[1], "acquire-release")) { load_order = memory_order_acquire; store_order = memory_order_release; }
    else if (!strcmp(argv[1], "seq_cst")) { load_order = memory_order_seq_cst; store_order = memory_order_seq_cst; }
    else { fprintf(stderr, "unknown ordering '%s'\n", argv[1]); return 64; }
    iterations = argc > 2 ? atol(argv[2]) : 1000000;
    if (iterations < 1) { fprintf(stderr, "iterations must be >= 1\n"); return 64; }

    cpu_set_t allowed;
    sched_getaffinity(0, sizeof allowed, &allowed);
    int found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++) if (CPU_ISSET(c, &allowed)) cpus[found++] = c;
    if (found < 2) { cpus[1] = cpus[0]; oversubscribed = 1; }

    slots = aligned_alloc(SLOT, sizeof(slot_t) * 2 * BATCH);
    memset(slots, 0, sizeof(slot_t) * 2 * BATCH);
    results[0] = calloc(iterations, 1);
    results[1] = calloc(iterations, 1);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, thread, (void *)(intptr_t)i);
    for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    long weak = 0;
    for (long i = 0; i < iterations; i++) weak += results[0][i] == 0 && results[1][i] == 0;
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%ld %ld %.3f\n", weak, iterations, seconds);
    return 0;
}

/*
 * bench_reference.c: C baselines for `racelab counter` and `racelab cache`.
 *
 * Runs the same per-op loops as racelab's counter strategies
 * (Sources/RaceLab/Sync/Counters.swift), with the same harness shape
 * (Sources/RaceLab/Workers/{WorkerPool,StartGate,CPUSet}.swift), so that
 * racelab/C ratios compare the Swift code's overhead and nothing else:
 *
 *   - workers are pthreads, worker i pinned to the (i mod n)-th allowed CPU
 *     (sched_getaffinity + pthread_setaffinity_np);
 *   - all workers are created first and released together by a start gate:
 *     an atomic arrival counter; the last arrival stamps CLOCK_MONOTONIC and
 *     opens the gate; waiters spin, calling sched_yield after 2000 spins;
 *   - wall time = last worker's finish - gate release (creation not timed);
 *   - ns/op = wall x threads / (threads x iterations).
 *
 * Strategies (per op):
 *   pthread-mutex  lock; relaxed load of a shared long; relaxed store load+1; unlock
 *   mutex          same as pthread-mutex (C has no Swift Synchronization.Mutex)
 *   atomic         __atomic_fetch_add(&shared, 1, __ATOMIC_RELAXED)   (lock xadd)
 *   sharded        own 128-byte slot: relaxed load, relaxed store load+1; sum at end
 *   unsafe         relaxed load of shared, relaxed store load+1 (loses updates)
 *   cache-locked   racelab cache's `locked` strategy with uniform keys: the key from
 *                  the same SplitMix64 stream and multiply-shift reduction as
 *                  KeyStream.swift (keys = $KEYS, default 64; seed 42), then
 *                  lock; counts[key] += 1 in an open-addressing hash map (linear
 *                  probing, multiplicative hash, inserting 0 when absent); unlock.
 *
 * Usage:  bench_reference <strategy> <threads> <iterations>
 * Prints one line on stdout: ns/op. A safe strategy that lost updates prints the
 * lost count on stderr and exits 1. Bad usage exits 64.
 *
 * Build:  cc -O2 -pthread -o bench_reference bench_reference.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOT_STRIDE 128 /* PaddedAtomicSlots.stride: two cache lines */
#define GATE_SPINS 2000 /* StartGate: spin this long before yielding */
#define MAX_THREADS 1024

enum strategy { S_UNSAFE, S_MUTEX, S_PTHREAD_MUTEX, S_ATOMIC, S_SHARDED, S_CACHE_LOCKED };

/* The shared state. In racelab the mutex, the counter and the gate live in
 * separate heap objects, so each gets its own 128-byte block here too: no
 * accidental sharing (or accidental co-location) of cache lines. */
static _Alignas(SLOT_STRIDE) pthread_mutex_t shared_mutex = PTHREAD_MUTEX_INITIALIZER;
static _Alignas(SLOT_STRIDE) long shared_value;
static _Alignas(SLOT_STRIDE) int gate_arrived;
static _Alignas(SLOT_STRIDE) uint64_t gate_released_at; /* 0 = still closed */

struct slot {
    _Alignas(SLOT_STRIDE) long value;
};
static struct slot *slots; /* one per worker, for `sharded` */

struct worker {
    int index;
    int cpu; /* -1: do not pin */
    enum strategy strategy;
    long iterations;
    int expected; /* workers the gate waits for */
    uint64_t finish;
    pthread_t thread;
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* StartGate.arriveAndWait: the last arrival opens the gate. */
static void gate_arrive_and_wait(int expected) {
    int position = __atomic_add_fetch(&gate_arrived, 1, __ATOMIC_ACQ_REL);
    if (position >= expected) {
        uint64_t zero = 0, t = now_ns();
        if (t == 0) t = 1;
        __atomic_compare_exchange_n(&gate_released_at, &zero, t, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE);
    }
    int spins = 0;
    while (__atomic_load_n(&gate_released_at, __ATOMIC_ACQUIRE) == 0) {
        if (++spins < GATE_SPINS) continue;
        sched_yield();
    }
}

/* The hot loops: one per strategy, each a direct transcription of Counters.swift. */

static void loop_mutex(long iterations) {
    for (long i = 0; i < iterations; i++) {
        pthread_mutex_lock(&shared_mutex);
        long seen = __atomic_load_n(&shared_value, __ATOMIC_RELAXED);
        __atomic_store_n(&shared_value, seen + 1, __ATOMIC_RELAXED);
        pthread_mutex_unlock(&shared_mutex);
    }
}

static void loop_atomic(long iterations) {
    for (long i = 0; i < iterations; i++) __atomic_fetch_add(&shared_value, 1, __ATOMIC_RELAXED);
}

static void loop_sharded(long iterations, int worker) {
    long *slot = &slots[worker].value;
    for (long i = 0; i < iterations; i++) {
        long seen = __atomic_load_n(slot, __ATOMIC_RELAXED);
        __atomic_store_n(slot, seen + 1, __ATOMIC_RELAXED);
    }
}

static void loop_unsafe(long iterations) {
    for (long i = 0; i < iterations; i++) {
        long seen = __atomic_load_n(&shared_value, __ATOMIC_RELAXED);
        __atomic_store_n(&shared_value, seen + 1, __ATOMIC_RELAXED);
    }
}

/* The cache: open addressing over 64-bit keys, capacity a power of two >= 2 x keys. */
static long cache_keys = 64;
static long cache_capacity;
static long *cache_slot_keys; /* -1 = empty */
static long *cache_counts;

static void cache_init(long keys) {
    cache_capacity = 16;
    while (cache_capacity < 2 * keys) cache_capacity *= 2;
    cache_slot_keys = malloc((size_t)cache_capacity * sizeof(long));
    cache_counts = calloc((size_t)cache_capacity, sizeof(long));
    for (long i = 0; i < cache_capacity; i++) cache_slot_keys[i] = -1;
}

static inline void cache_increment(long key) {
    uint64_t h = ((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 32;
    long i = (long)(h & (uint64_t)(cache_capacity - 1));
    while (cache_slot_keys[i] != key && cache_slot_keys[i] != -1) i = (i + 1) & (cache_capacity - 1);
    cache_slot_keys[i] = key;
    cache_counts[i] += 1;
}

/* KeyStream.swift: SplitMix64, seeded per worker; Lemire's multiply-shift. */
static void loop_cache_locked(long iterations, int worker) {
    uint64_t state = 42u + 0x9E3779B97F4A7C15ull * (uint64_t)(worker + 1);
    uint64_t keys = (uint64_t)cache_keys;
    for (long i = 0; i < iterations; i++) {
        state += 0x9E3779B97F4A7C15ull;
        uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        long key = keys == 1 ? 0 : (long)(((unsigned __int128)z * keys) >> 64);
        pthread_mutex_lock(&shared_mutex);
        cache_increment(key);
        pthread_mutex_unlock(&shared_mutex);
    }
}

static void *worker_main(void *arg) {
    struct worker *w = arg;
    if (w->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(w->cpu, &set);
        (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set); /* as racelab: best effort */
    }
    gate_arrive_and_wait(w->expected);
    switch (w->strategy) {
    case S_MUTEX:
    case S_PTHREAD_MUTEX: loop_mutex(w->iterations); break;
    case S_ATOMIC: loop_atomic(w->iterations); break;
    case S_SHARDED: loop_sharded(w->iterations, w->index); break;
    case S_UNSAFE: loop_unsafe(w->iterations); break;
    case S_CACHE_LOCKED: loop_cache_locked(w->iterations, w->index); break;
    }
    w->finish = now_ns();
    return NULL;
}

/* CPUSet.current: the allowed CPU ids, ascending; all online CPUs if unreadable. */
static int allowed_cpus(int *out, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    int n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < capacity; cpu++)
        if (CPU_ISSET(cpu, &set)) out[n++] = cpu;
    return n;
}

static long parse_positive(const char *what, const char *text, long max) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *text == '\0' || *end != '\0' || v < 1 || v > max) {
        fprintf(stderr, "bench_reference: %s must be an integer from 1 to %ld, got '%s'\n", what, max,
                text);
        exit(64);
    }
    return v;
}

static void usage(void) {
    fprintf(stderr,
            "usage: bench_reference <strategy> <threads> <iterations>\n"
            "  strategy: unsafe | mutex | pthread-mutex | atomic | sharded | cache-locked\n"
            "  (cache-locked reads the number of keys from $KEYS, default 64)\n"
            "  prints ns/op = wall x threads / (threads x iterations)\n");
    exit(64);
}

int main(int argc, char **argv) {
    if (argc != 4) usage();
    static const struct { const char *name; enum strategy s; } names[] = {
        {"unsafe", S_UNSAFE}, {"mutex", S_MUTEX}, {"pthread-mutex", S_PTHREAD_MUTEX},
        {"atomic", S_ATOMIC}, {"sharded", S_SHARDED}, {"cache-locked", S_CACHE_LOCKED},
    };
    int found = -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(argv[1], names[i].name) == 0) found = (int)i;
    if (found < 0) {
        fprintf(stderr, "bench_reference: unknown strategy '%s'\n", argv[1]);
        usage();
    }
    enum strategy strategy = names[found].s;
    int threads = (int)parse_positive("threads", argv[2], MAX_THREADS);
    long iterations = parse_positive("iterations", argv[3], 1000000000000L);

    static int cpus[CPU_SETSIZE];
    int ncpus = allowed_cpus(cpus, CPU_SETSIZE);

    slots = aligned_alloc(SLOT_STRIDE, (size_t)threads * sizeof(struct slot));
    struct worker *workers = calloc((size_t)threads, sizeof *workers);
    if (!slots || !workers) {
        perror("bench_reference: allocation");
        return 71;
    }
    memset(slots, 0, (size_t)threads * sizeof(struct slot));
    if (strategy == S_CACHE_LOCKED) {
        const char *keys = getenv("KEYS");
        if (keys) cache_keys = parse_positive("KEYS", keys, 1000000);
        cache_init(cache_keys);
    }

    for (int i = 0; i < threads; i++) {
        workers[i] = (struct worker){
            .index = i,
            .cpu = ncpus > 0 ? cpus[i % ncpus] : -1,
            .strategy = strategy,
            .iterations = iterations,
            .expected = threads,
        };
        int rc = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
        if (rc != 0) {
            fprintf(stderr, "bench_reference: pthread_create worker %d: %s\n", i, strerror(rc));
            return 71;
        }
    }
    for (int i = 0; i < threads; i++) pthread_join(workers[i].thread, NULL);

    uint64_t released = gate_released_at, last = released;
    for (int i = 0; i < threads; i++)
        if (workers[i].finish > last) last = workers[i].finish;
    double wall = (double)(last - released);
    double ops = (double)threads * (double)iterations;
    printf("%.6f\n", wall * threads / ops);

    long total = 0;
    if (strategy == S_SHARDED)
        for (int i = 0; i < threads; i++) total += slots[i].value;
    else if (strategy == S_CACHE_LOCKED)
        for (long i = 0; i < cache_capacity; i++) total += cache_counts[i];
    else
        total = shared_value;
    long expected = (long)threads * iterations;
    if (strategy != S_UNSAFE && total != expected) {
        fprintf(stderr, "bench_reference: %s lost %ld of %ld updates\n", argv[1], expected - total,
                expected);
        return 1;
    }
    return 0;
}

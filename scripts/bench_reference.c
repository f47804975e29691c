/*
 * bench_reference.c: C baselines for `racelab counter` and `racelab cache`.
 *
 * Runs the same per-op loops as racelab's counter strategies
 * (Sources/RaceLabSync/Counter/Counters.swift), with the same harness shape
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
 *   cache-striped  `striped`: 16 mutex + map pairs; Fibonacci hashing picks the stripe
 *   cache-rwlock   `rwlock` with no lookups: pthread_rwlock_wrlock; increment; unlock
 *   cache-map      the map alone, no lock, 1 thread: the map's share of the cost
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

enum strategy {
    S_UNSAFE, S_MUTEX, S_PTHREAD_MUTEX, S_ATOMIC, S_SHARDED,
    S_CACHE_LOCKED, S_CACHE_STRIPED, S_CACHE_RWLOCK, S_CACHE_MAP
};

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

/* The caches: open addressing over 64-bit keys, capacity a power of two >= 2 x keys,
 * linear probing, multiplicative hash, inserting 0 when a key is absent. */
struct map {
    long capacity;
    long *keys; /* -1 = empty */
    long *counts;
};

static void map_init(struct map *m, long keys) {
    m->capacity = 16;
    while (m->capacity < 2 * keys) m->capacity *= 2;
    m->keys = malloc((size_t)m->capacity * sizeof(long));
    m->counts = calloc((size_t)m->capacity, sizeof(long));
    if (!m->keys || !m->counts) {
        perror("bench_reference: allocation");
        exit(71);
    }
    for (long i = 0; i < m->capacity; i++) m->keys[i] = -1;
}

static inline void map_increment(struct map *m, long key) {
    uint64_t h = ((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 32;
    long i = (long)(h & (uint64_t)(m->capacity - 1));
    while (m->keys[i] != key && m->keys[i] != -1) i = (i + 1) & (m->capacity - 1);
    m->keys[i] = key;
    m->counts[i] += 1;
}

static long map_total(const struct map *m) {
    long total = 0;
    for (long i = 0; i < m->capacity; i++) total += m->counts[i];
    return total;
}

static long cache_keys = 64;
static struct map shared_map;                                         /* locked, rwlock, map */
static _Alignas(SLOT_STRIDE) pthread_rwlock_t shared_rwlock = PTHREAD_RWLOCK_INITIALIZER;

/* StripedCache: STRIPES independent mutex + map pairs, each in its own
 * 128-byte-aligned block; Fibonacci hashing of the key picks the stripe. */
#define STRIPES 16
struct stripe {
    _Alignas(SLOT_STRIDE) pthread_mutex_t mutex;
    struct map map;
};
static struct stripe stripes[STRIPES];

static void caches_init(long keys) {
    map_init(&shared_map, keys);
    for (int i = 0; i < STRIPES; i++) {
        pthread_mutex_init(&stripes[i].mutex, NULL);
        map_init(&stripes[i].map, keys);
    }
}

static long caches_total(void) {
    long total = map_total(&shared_map);
    for (int i = 0; i < STRIPES; i++) total += map_total(&stripes[i].map);
    return total;
}

/* KeyStream.swift: SplitMix64, seeded per worker (seed 42); Lemire's multiply-shift. */
static inline long next_key(uint64_t *state, uint64_t keys) {
    *state += 0x9E3779B97F4A7C15ull;
    uint64_t z = *state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return keys == 1 ? 0 : (long)(((unsigned __int128)z * keys) >> 64);
}

static inline uint64_t stream_seed(int worker) { return 42u + 0x9E3779B97F4A7C15ull * (uint64_t)(worker + 1); }

static void loop_cache_locked(long iterations, int worker) {
    uint64_t state = stream_seed(worker), keys = (uint64_t)cache_keys;
    for (long i = 0; i < iterations; i++) {
        long key = next_key(&state, keys);
        pthread_mutex_lock(&shared_mutex);
        map_increment(&shared_map, key);
        pthread_mutex_unlock(&shared_mutex);
    }
}

static void loop_cache_striped(long iterations, int worker) {
    uint64_t state = stream_seed(worker), keys = (uint64_t)cache_keys;
    for (long i = 0; i < iterations; i++) {
        long key = next_key(&state, keys);
        uint64_t mixed = (uint64_t)key * 0x9E3779B97F4A7C15ull;
        struct stripe *s = &stripes[(long)(((unsigned __int128)mixed * STRIPES) >> 64)];
        pthread_mutex_lock(&s->mutex);
        map_increment(&s->map, key);
        pthread_mutex_unlock(&s->mutex);
    }
}

static void loop_cache_rwlock(long iterations, int worker) {
    uint64_t state = stream_seed(worker), keys = (uint64_t)cache_keys;
    for (long i = 0; i < iterations; i++) {
        long key = next_key(&state, keys);
        pthread_rwlock_wrlock(&shared_rwlock);
        map_increment(&shared_map, key);
        pthread_rwlock_unlock(&shared_rwlock);
    }
}

/* The map alone, no lock: only meaningful (and only correct) with 1 worker. It
 * isolates the map's cost from the lock's, beside bench_dictionary.swift's `map`. */
static void loop_cache_map(long iterations, int worker) {
    uint64_t state = stream_seed(worker), keys = (uint64_t)cache_keys;
    for (long i = 0; i < iterations; i++) map_increment(&shared_map, next_key(&state, keys));
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
    case S_CACHE_STRIPED: loop_cache_striped(w->iterations, w->index); break;
    case S_CACHE_RWLOCK: loop_cache_rwlock(w->iterations, w->index); break;
    case S_CACHE_MAP: loop_cache_map(w->iterations, w->index); break;
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
            "  strategy: unsafe | mutex | pthread-mutex | atomic | sharded\n"
            "            | cache-locked | cache-striped | cache-rwlock | cache-map\n"
            "  (the cache-* strategies read the number of keys from $KEYS, default 64;\n"
            "   cache-map has no lock and takes 1 thread only)\n"
            "  prints ns/op = wall x threads / (threads x iterations)\n");
    exit(64);
}

int main(int argc, char **argv) {
    if (argc != 4) usage();
    static const struct { const char *name; enum strategy s; } names[] = {
        {"unsafe", S_UNSAFE}, {"mutex", S_MUTEX}, {"pthread-mutex", S_PTHREAD_MUTEX},
        {"atomic", S_ATOMIC}, {"sharded", S_SHARDED}, {"cache-locked", S_CACHE_LOCKED},
        {"cache-striped", S_CACHE_STRIPED}, {"cache-rwlock", S_CACHE_RWLOCK}, {"cache-map", S_CACHE_MAP},
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
    int is_cache = strategy >= S_CACHE_LOCKED;
    if (strategy == S_CACHE_MAP && threads != 1) {
        fprintf(stderr, "bench_reference: cache-map has no lock: threads must be 1, got %d\n", threads);
        return 64;
    }
    if (is_cache) {
        const char *keys = getenv("KEYS");
        if (keys) cache_keys = parse_positive("KEYS", keys, 1000000);
        caches_init(cache_keys);
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
    else if (is_cache)
        total = caches_total();
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

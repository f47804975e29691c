#ifndef CRACELAB_SHIMS_H
#define CRACELAB_SHIMS_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/// Writes the ids of the CPUs this process may run on (its affinity mask) into
/// `out`, at most `capacity` of them, and returns how many there are.
/// Returns -1 where affinity cannot be read (then the caller falls back to sysconf).
int racelab_allowed_cpus(int32_t *out, int32_t capacity);

/// Pins the calling thread to one CPU. Returns 0 or an errno value.
int racelab_pin_current_thread(int32_t cpu);


/// What the kernel counted for the calling thread so far: CPU time it ran
/// (CLOCK_THREAD_CPUTIME_ID) and context switches it made by blocking (voluntary:
/// waiting for a lock, sleeping) or had forced on it (involuntary: preempted).
typedef struct {
    int64_t cpu_nanoseconds;
    int64_t voluntary_switches;
    int64_t involuntary_switches;
} racelab_thread_usage_t;

/// Fills `out` for the calling thread. Returns 0, or -1 where it cannot be read
/// (then `out` is zeroed). Two system calls: call it outside hot loops.
int racelab_thread_usage(racelab_thread_usage_t *out);

/// Brackets starting a child: `racelab_spawn_begin()` before posix_spawn,
/// `racelab_spawn_end(pid)` after it (pid <= 0: it did not start), which remembers the
/// child's process group so an interrupt can kill it. Between the two the calling
/// thread blocks the interrupt signals and a handler on another thread waits for the
/// end, so a signal that comes while the child is being started still finds it (it
/// had found none: the child ran on, untold, until its parent-death signal).
/// Async-signal-safe bookkeeping: a fixed table of atomics.
void racelab_spawn_begin(void);
void racelab_spawn_end(int32_t pid);
void racelab_untrack_child(int32_t pid);

/// What is running now, for the interrupt message ("counter: unsafe, run 2 of 5").
void racelab_set_activity(const char *text);

/// Installs SIGINT, SIGTERM, SIGHUP and SIGQUIT handlers that kill every tracked
/// child's process group, remove a result file's temporary, say on stderr what ended
/// the run, and exit 128 + the signal (130, 143, 129, 131). A signal racelab was
/// started with ignored (nohup, a shell's background job) stays ignored.
void racelab_install_interrupt_handlers(void);

/// The temporary file a result is being written to, removed by the handlers above if
/// a signal ends racelab before its rename; NULL when none.
void racelab_set_temporary(const char *path);

/// In a child process, before any other thread exists: asks the kernel to SIGKILL
/// this process when its parent dies (Linux); kills it now if `parent` (the pid the
/// parent gave; 0: none) is no longer its parent, which closes the race of a parent
/// that died first; and ends it by SIGALRM after `seconds`, parent or not.
void racelab_limit_lifetime(int32_t parent, uint32_t seconds);

/// A pipe whose two ends close on exec (pipe2 with O_CLOEXEC on Linux), so a child
/// another thread starts at the same moment never inherits them. 0, or -1 and errno.
int racelab_pipe_cloexec(int fds[2]);

/// `pthread_once` with a context: runs `body(context)` once per `once`, on the
/// calling thread (pthread_once's own routine takes no argument, so the context
/// travels in thread-local storage). Returns pthread_once's result.
int racelab_once(pthread_once_t *once, void (*body)(void *), void *context);

/// Burns `steps` iterations of an empty loop the optimiser must keep, to widen
/// the window between a read and its write-back (`--work`). Inline, no call cost.
static inline void racelab_spin(int64_t steps) {
    for (int64_t i = 0; i < steps; i++) __asm__ __volatile__("" ::: "memory");
}

/// A spin-wait hint: `pause` on x86 (lets the sibling hyperthread run and saves
/// power), `yield` on ARM. Keeps the CPU, unlike sched_yield.
static inline void racelab_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/// The bytes usable in the heap block `pointer` points to (glibc's malloc_usable_size,
/// Darwin's malloc_size; 0 where neither exists): at least what was allocated. Lets a
/// harness read an object's own cache lines without reading past its block.
size_t racelab_usable_size(const void *pointer);

/// A fast clock for starting threads together (litmus tests): the time-stamp counter
/// on x86-64 (rdtsc, invariant and shared by all cores where the kernel says
/// constant_tsc), the generic timer on ARM64 (cntvct_el0, shared by design), else
/// CLOCK_MONOTONIC in nanoseconds. Ticks, not nanoseconds: callers calibrate.
static inline uint64_t racelab_timebase(void) {
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#elif defined(__aarch64__)
    uint64_t ticks;
    __asm__ __volatile__("isb; mrs %0, cntvct_el0" : "=r"(ticks) :: "memory");
    return ticks;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}


/// Coroutines for the controlled scheduler (ucontext): a virtual thread runs on a stack
/// of its own, on the explorer's OS thread, and switches back at every scheduling point.
/// A context with no entry is the explorer's own (what `racelab_context_swap` returns to).
typedef struct racelab_context racelab_context;

/// A context with a stack of `stack_bytes` (0: none, for the explorer's own), or NULL.
racelab_context *racelab_context_new(size_t stack_bytes);

/// Frees a context and its stack. Never the running one.
void racelab_context_free(racelab_context *context);

/// Prepares `context` to run `entry(argument)` from its start when next switched to;
/// when `entry` returns, the context switches to `return_to`.
void racelab_context_prepare(racelab_context *context, racelab_context *return_to, void (*entry)(void *),
                             void *argument);

/// Saves the running context in `from` and runs `to`. Returns when something switches
/// back to `from`.
void racelab_context_swap(racelab_context *from, racelab_context *to);

/// The drop-in primitives' one question on their fast path: is any exploration running
/// in this process? A relaxed load of a word nobody writes while none runs (it stays in
/// every core's cache), so outside an exploration a drop-in costs one load and a branch.
/// It has a 128-byte block of its own: nothing written often shares its cache line.
struct racelab_exploration_flag {
    int running;
    char padding[124];
} __attribute__((aligned(128)));

extern struct racelab_exploration_flag racelab_explorations;

static inline int racelab_is_exploring(void) {
    return __atomic_load_n(&racelab_explorations.running, __ATOMIC_RELAXED) != 0;
}

/// An exploration starts or ends (they nest and run side by side on different threads).
void racelab_exploration_begin(void);
void racelab_exploration_end(void);

/// The exploration running on this OS thread (an opaque, unretained object), or NULL.
void *racelab_exploration_current(void);
/// Sets it, returning the one it replaces.
void *racelab_exploration_set_current(void *exploration);

/// A process-wide id for a drop-in primitive made outside any exploration: above
/// every id an exploration hands out (those count from 1 in each schedule).
int64_t racelab_next_object_id(void);

/// The async explorer's hooks into Swift's concurrency runtime (libswift_Concurrency's
/// exported `swift_task_enqueueGlobal_hook` (with its WithDelay and WithDeadline
/// siblings) and `swift_task_enqueueMainExecutor_hook`,
/// and libswiftCore's `_swift_tsan_acquire`, which the runtime calls as each job starts,
/// also inside an actor's drain). `racelab_async_install` installs them once per
/// process; they chain to whatever was installed before (another library's hook, the
/// thread sanitizer). They act only on a thread whose `racelab_async_set_current` is
/// set: every other thread, and every other test in the process, sees the runtime as
/// it was.
typedef struct racelab_async_capture {
    /// The explorer's object, unretained.
    void *context;
    /// A job enqueued on the global executor (`main` 0) or the main actor (`main` 1),
    /// from this thread.
    void (*enqueue)(void *context, void *job, int main);
    /// The runtime is about to run `address` (a job) on this thread, or acquires
    /// `address` for another reason: the explorer tells which.
    void (*acquire)(void *context, const void *address);
    /// A job to run after a delay on the global executor (a sleep of a task that does
    /// not prefer the explorer's executor): `nanoseconds` from now, and whether they
    /// were read off a deadline (rounded then).
    void (*sleep)(void *context, void *job, int64_t nanoseconds, int fromDeadline);
} racelab_async_capture;

/// Installs the hooks (idempotent, thread-safe).
void racelab_async_install(void);
/// The capture of this thread (NULL: none); returns the one it replaces.
racelab_async_capture *racelab_async_set_current(racelab_async_capture *capture);
/// Runs `job` on the global executor the runtime had before the hook (an escaped job).
void racelab_async_enqueue_original(void *job);
/// Runs `job` on the main actor's executor, as the runtime would (an escaped job).
void racelab_async_enqueue_original_main(void *job);
/// The runtime's id of a task (or of the task a job resumes), 0 for another job.
uint64_t racelab_job_task_id(const void *job);
/// A job's kind, the low byte of its flags (0: a task; others: the runtime's own jobs,
/// an actor's drain, a continuation), or -1 where the runtime cannot say.
int racelab_job_kind(const void *job);
/// The identity of the serial executor the calling thread runs on (an actor, for a
/// default actor), or NULL for the generic executor.
void *racelab_current_executor_identity(void);
/// The first word of an object (a heap object's metadata), read with no retain.
static inline const void *racelab_first_word(const void *object) { return *(const void *const *)object; }

#endif

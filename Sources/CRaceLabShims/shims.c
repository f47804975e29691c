#define _GNU_SOURCE
#include "CRaceLabShims.h"

#if defined(__linux__)
#include <errno.h>
#include <pthread.h>
#include <sched.h>

int racelab_allowed_cpus(int32_t *out, int32_t capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    int32_t count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &set)) {
            if (count < capacity) out[count] = cpu;
            count++;
        }
    }
    return count;
}

int racelab_pin_current_thread(int32_t cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}


#endif

#include <string.h>
#include <sys/resource.h>
#include <time.h>

int racelab_thread_usage(racelab_thread_usage_t *out) {
    memset(out, 0, sizeof(*out));
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return -1;
    out->cpu_nanoseconds = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
#if defined(RUSAGE_THREAD)
    struct rusage usage;
    if (getrusage(RUSAGE_THREAD, &usage) != 0) return -1;
    out->voluntary_switches = usage.ru_nvcsw;
    out->involuntary_switches = usage.ru_nivcsw;
#endif
    return 0;
}

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define RACELAB_MAX_CHILDREN 64
static volatile int32_t tracked_children[RACELAB_MAX_CHILDREN];
static char activity[256];

/* Threads between racelab_spawn_begin and racelab_spawn_end. */
static volatile int32_t spawning;
static const int interrupt_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define INTERRUPT_SIGNALS ((int)(sizeof(interrupt_signals) / sizeof(interrupt_signals[0])))
static __thread sigset_t mask_before_spawn;

void racelab_spawn_begin(void) {
    sigset_t block;
    sigemptyset(&block);
    for (int i = 0; i < INTERRUPT_SIGNALS; i++) sigaddset(&block, interrupt_signals[i]);
    pthread_sigmask(SIG_BLOCK, &block, &mask_before_spawn);
    __atomic_add_fetch(&spawning, 1, __ATOMIC_SEQ_CST);
}

void racelab_spawn_end(int32_t pid) {
    if (pid > 0) {
        for (int i = 0; i < RACELAB_MAX_CHILDREN; i++) {
            int32_t empty = 0;
            if (__atomic_compare_exchange_n(&tracked_children[i], &empty, pid, 0, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST))
                break;
        }
    }
    __atomic_sub_fetch(&spawning, 1, __ATOMIC_SEQ_CST);
    /* A signal that came meanwhile and found every thread blocking it runs now. */
    pthread_sigmask(SIG_SETMASK, &mask_before_spawn, NULL);
}

void racelab_untrack_child(int32_t pid) {
    for (int i = 0; i < RACELAB_MAX_CHILDREN; i++) {
        int32_t expected = pid;
        __atomic_compare_exchange_n(&tracked_children[i], &expected, 0, 0, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST);
    }
}

void racelab_set_activity(const char *text) {
    /* Written only by the main thread between runs; read only by the handler. */
    strncpy(activity, text, sizeof(activity) - 1);
}

static void say(const char *text) { (void)!write(2, text, strlen(text)); }

/* A result file being written (its temporary name), removed if a signal ends racelab
   before the rename: set and cleared by the main thread around the write. */
static char temporary_path[4096];
static volatile sig_atomic_t has_temporary;

void racelab_set_temporary(const char *path) {
    if (path) {
        strncpy(temporary_path, path, sizeof(temporary_path) - 1);
        temporary_path[sizeof(temporary_path) - 1] = 0;
        has_temporary = 1;
    } else {
        has_temporary = 0;
    }
}

static void on_interrupt(int signal) {
    int killed = 0;
    if (has_temporary) unlink(temporary_path);
    /* A child being started on another thread (that thread blocks these signals, so
       this is not it) is tracked within milliseconds: wait for it, at most a second. */
    for (int waited = 0; waited < 10000 && __atomic_load_n(&spawning, __ATOMIC_SEQ_CST) > 0; waited++) {
        struct timespec pause = {0, 100000}; /* 0.1 ms; nanosleep is async-signal-safe */
        nanosleep(&pause, NULL);
    }
    for (int i = 0; i < RACELAB_MAX_CHILDREN; i++) {
        int32_t pid = __atomic_exchange_n(&tracked_children[i], 0, __ATOMIC_SEQ_CST);
        if (pid > 0) {
            kill(-pid, SIGKILL); /* the child's whole process group */
            killed++;
        }
    }
    switch (signal) {
    case SIGINT: say("\nracelab: interrupted (SIGINT)"); break;
    case SIGHUP: say("\nracelab: hung up (SIGHUP)"); break;
    case SIGQUIT: say("\nracelab: quit (SIGQUIT)"); break;
    default: say("\nracelab: terminated (SIGTERM)"); break;
    }
    if (activity[0]) {
        say(" while running ");
        say(activity);
    }
    say(killed ? "; killed its child process. No result was printed.\n" : ". No result was printed.\n");
    _exit(128 + signal);
}

void racelab_install_interrupt_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_interrupt;
    /* One handler at a time: a closing terminal sends SIGHUP, then SIGTERM. */
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < INTERRUPT_SIGNALS; i++) sigaddset(&action.sa_mask, interrupt_signals[i]);
    for (int i = 0; i < INTERRUPT_SIGNALS; i++) {
        /* A signal the caller chose to ignore (nohup, a background job) stays ignored. */
        struct sigaction old;
        if (sigaction(interrupt_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(interrupt_signals[i], &action, NULL);
    }
}

#if defined(__linux__)
#include <sys/prctl.h>
#endif

void racelab_limit_lifetime(int32_t parent, uint32_t seconds) {
#if defined(__linux__)
    /* The kernel kills this process when the thread that started it ends. racelab
       starts a child from a thread that waits for it, so that is when racelab ends. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    /* The parent may have died before the request above: then it is too late to be
       told, and this process has a new parent already. */
    if (parent > 0 && getppid() != parent) kill(getpid(), SIGKILL);
    /* The alarm ends the process whatever mask or handler it inherited. */
    signal(SIGALRM, SIG_DFL);
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &alarm_only, NULL);
    alarm(seconds);
}
#if !defined(__linux__)
int racelab_allowed_cpus(int32_t *out, int32_t capacity) { (void)out; (void)capacity; return -1; }
int racelab_pin_current_thread(int32_t cpu) { (void)cpu; return 0; }
#endif

// pthread_once with a context, for the lazy-init scenario: the routine pthread_once
// calls runs on the calling thread, so it finds its body and context in that
// thread's storage.
static __thread void (*once_body)(void *);
static __thread void *once_context;

static void once_trampoline(void) { once_body(once_context); }

int racelab_once(pthread_once_t *once, void (*body)(void *), void *context) {
    once_body = body;
    once_context = context;
    return pthread_once(once, once_trampoline);
}

#include <fcntl.h>

int racelab_pipe_cloexec(int fds[2]) {
#if defined(__linux__)
    return pipe2(fds, O_CLOEXEC);
#else
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}

#if defined(__linux__)
#include <malloc.h>
size_t racelab_usable_size(const void *pointer) { return malloc_usable_size((void *)pointer); }
#elif defined(__APPLE__)
#include <malloc/malloc.h>
size_t racelab_usable_size(const void *pointer) { return malloc_size(pointer); }
#else
size_t racelab_usable_size(const void *pointer) { (void)pointer; return 0; }
#endif

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>

/// The Swift runtime's exclusivity checking keeps the accesses in progress (a `mutating`
/// method's `self`, an `inout`) in a list per OS thread. A coroutine that switches away
/// mid-access would leave its accesses on the list, and the next coroutine to run would
/// see a conflict that is not there, or, once the coroutine is abandoned and its stack
/// reused, a corrupt list (measured: a loop forever in swift_beginAccess). The runtime
/// exports what Swift's own tasks use for this: exit saves a coroutine's accesses when
/// it switches away, enter puts them back when it runs again.
extern void swift_task_enterThreadLocalContext(char *state);
extern void swift_task_exitThreadLocalContext(char *state);

// A switch of racelab's own on x86-64 and arm64: the callee-saved registers (and the
// floating-point control words) pushed on the running stack, the stack pointer stored,
// the other stack's loaded and its registers popped: no system call, where swapcontext
// saves and restores the signal mask with one on every switch (measured in C here: a
// scheduler-to-coroutine round trip took 1,054-1,124 ns with swapcontext, 18.6-18.9 ns
// with such a switch). Elsewhere, ucontext.
#if defined(__x86_64__) || defined(__aarch64__)
#define RACELAB_OWN_SWITCH 1
#else
#define RACELAB_OWN_SWITCH 0
#endif

struct racelab_context {
#if RACELAB_OWN_SWITCH
    /// The saved stack pointer of a context that is not running.
    void *stack_pointer;
    racelab_context *return_to;
#else
    ucontext_t context;
#endif
    void *stack;
    size_t stack_bytes;
    void (*entry)(void *);
    void *argument;
    /// The runtime's exclusivity state for this coroutine (two words; four kept zeroed).
    uintptr_t exclusivity[4];
};

/// A guard page below every coroutine stack: a body that recurses too deep faults there
/// instead of writing over the next coroutine's stack.
static const size_t racelab_guard_bytes = 4096;

racelab_context *racelab_context_new(size_t stack_bytes) {
    racelab_context *context = calloc(1, sizeof(racelab_context));
    if (!context) return NULL;
    if (stack_bytes > 0) {
        size_t total = stack_bytes + racelab_guard_bytes;
        void *mapping = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE,
                             -1, 0);
        if (mapping == MAP_FAILED) {
            free(context);
            return NULL;
        }
        mprotect(mapping, racelab_guard_bytes, PROT_NONE);
        context->stack = (char *)mapping + racelab_guard_bytes;
        context->stack_bytes = stack_bytes;
    }
    return context;
}

void racelab_context_free(racelab_context *context) {
    if (!context) return;
    if (context->stack) munmap((char *)context->stack - racelab_guard_bytes, context->stack_bytes + racelab_guard_bytes);
    free(context);
}

#if RACELAB_OWN_SWITCH

/// Saves the running context's registers on its stack and its stack pointer in
/// `*save`, then continues the context whose stack pointer is `load`.
void racelab_switch_stacks(void **save, void *load);

/// Where a fresh coroutine starts: its context is in a callee-saved register (rbx, x19).
void racelab_context_start(void);

__asm__(
#if defined(__x86_64__)
    ".text\n"
    ".globl racelab_switch_stacks\n"
    ".type racelab_switch_stacks, @function\n"
    "racelab_switch_stacks:\n"
    "    pushq %rbp\n"
    "    pushq %rbx\n"
    "    pushq %r12\n"
    "    pushq %r13\n"
    "    pushq %r14\n"
    "    pushq %r15\n"
    "    subq $8, %rsp\n"
    "    stmxcsr (%rsp)\n"
    "    fnstcw 4(%rsp)\n"
    "    movq %rsp, (%rdi)\n"
    "    movq %rsi, %rsp\n"
    "    ldmxcsr (%rsp)\n"
    "    fldcw 4(%rsp)\n"
    "    addq $8, %rsp\n"
    "    popq %r15\n"
    "    popq %r14\n"
    "    popq %r13\n"
    "    popq %r12\n"
    "    popq %rbx\n"
    "    popq %rbp\n"
    "    ret\n"
    ".size racelab_switch_stacks, .-racelab_switch_stacks\n"
    ".globl racelab_context_start\n"
    ".type racelab_context_start, @function\n"
    "racelab_context_start:\n"
    "    movq %rbx, %rdi\n"
    "    andq $-16, %rsp\n"
    "    call racelab_context_main\n"
    "    ud2\n"
    ".size racelab_context_start, .-racelab_context_start\n"
#elif defined(__aarch64__)
    ".text\n"
    ".globl racelab_switch_stacks\n"
    ".type racelab_switch_stacks, %function\n"
    "racelab_switch_stacks:\n"
    "    sub sp, sp, #160\n"
    "    stp x19, x20, [sp, #0]\n"
    "    stp x21, x22, [sp, #16]\n"
    "    stp x23, x24, [sp, #32]\n"
    "    stp x25, x26, [sp, #48]\n"
    "    stp x27, x28, [sp, #64]\n"
    "    stp x29, x30, [sp, #80]\n"
    "    stp d8, d9, [sp, #96]\n"
    "    stp d10, d11, [sp, #112]\n"
    "    stp d12, d13, [sp, #128]\n"
    "    stp d14, d15, [sp, #144]\n"
    "    mov x2, sp\n"
    "    str x2, [x0]\n"
    "    mov sp, x1\n"
    "    ldp x19, x20, [sp, #0]\n"
    "    ldp x21, x22, [sp, #16]\n"
    "    ldp x23, x24, [sp, #32]\n"
    "    ldp x25, x26, [sp, #48]\n"
    "    ldp x27, x28, [sp, #64]\n"
    "    ldp x29, x30, [sp, #80]\n"
    "    ldp d8, d9, [sp, #96]\n"
    "    ldp d10, d11, [sp, #112]\n"
    "    ldp d12, d13, [sp, #128]\n"
    "    ldp d14, d15, [sp, #144]\n"
    "    add sp, sp, #160\n"
    "    ret\n"
    ".size racelab_switch_stacks, .-racelab_switch_stacks\n"
    ".globl racelab_context_start\n"
    ".type racelab_context_start, %function\n"
    "racelab_context_start:\n"
    "    mov x0, x19\n"
    "    bl racelab_context_main\n"
    "    brk #0\n"
    ".size racelab_context_start, .-racelab_context_start\n"
#endif
);

/// A fresh coroutine's body: its entry, then back to the context it returns to, for good.
__attribute__((used, noreturn)) void racelab_context_main(racelab_context *context) {
    context->entry(context->argument);
    // Leave the runtime's access list as it was entered.
    swift_task_exitThreadLocalContext((char *)context->exclusivity);
    racelab_context *back = context->return_to;
    void *abandoned;
    racelab_switch_stacks(&abandoned, back->stack_pointer);
    __builtin_unreachable();
}

void racelab_context_prepare(racelab_context *context, racelab_context *return_to, void (*entry)(void *),
                             void *argument) {
    context->return_to = return_to;
    context->entry = entry;
    context->argument = argument;
    // A fresh coroutine has no accesses; an abandoned one's saved accesses lived on the
    // stack being reused, and are dropped with it.
    memset(context->exclusivity, 0, sizeof context->exclusivity);
    // The top of the stack, 16-byte aligned, laid out as racelab_switch_stacks leaves a
    // context: its saved registers, then the address it returns to.
    uintptr_t top = ((uintptr_t)context->stack + context->stack_bytes) & ~(uintptr_t)15;
#if defined(__x86_64__)
    // After `ret` into racelab_context_start the stack must look like a function's
    // entry (rsp + 8 aligned to 16): a zero slot above the return address.
    uint64_t *slot = (uint64_t *)top;
    *--slot = 0;                                  // alignment: start's "return address"
    *--slot = (uint64_t)racelab_context_start;    // ret goes here
    *--slot = 0;                                  // rbp
    *--slot = (uint64_t)context;                  // rbx: the context
    *--slot = 0;                                  // r12
    *--slot = 0;                                  // r13
    *--slot = 0;                                  // r14
    *--slot = 0;                                  // r15
    uint32_t mxcsr;
    uint16_t control;
    __asm__ __volatile__("stmxcsr %0" : "=m"(mxcsr));
    __asm__ __volatile__("fnstcw %0" : "=m"(control));
    *--slot = (uint64_t)mxcsr | ((uint64_t)control << 32);
    context->stack_pointer = slot;
#else
    uint64_t *frame = (uint64_t *)(top - 160);
    memset(frame, 0, 160);
    frame[0] = (uint64_t)context;                 // x19: the context
    frame[11] = (uint64_t)racelab_context_start;  // x30: ret goes here
    context->stack_pointer = frame;
#endif
}

void racelab_context_swap(racelab_context *from, racelab_context *to) {
    // Only coroutines have a stack of their own: the explorer's context is the thread's.
    if (from->stack) swift_task_exitThreadLocalContext((char *)from->exclusivity);
    if (to->stack) swift_task_enterThreadLocalContext((char *)to->exclusivity);
    racelab_switch_stacks(&from->stack_pointer, to->stack_pointer);
}

#else

/// makecontext passes int arguments only: the context's address in two halves.
static void racelab_context_trampoline(unsigned int high, unsigned int low) {
    racelab_context *context = (racelab_context *)(((uintptr_t)high << 32) | (uintptr_t)low);
    context->entry(context->argument);
    // Returning switches to uc_link: leave the runtime's access list as it was entered.
    swift_task_exitThreadLocalContext((char *)context->exclusivity);
}

void racelab_context_prepare(racelab_context *context, racelab_context *return_to, void (*entry)(void *),
                             void *argument) {
    getcontext(&context->context);
    context->context.uc_stack.ss_sp = context->stack;
    context->context.uc_stack.ss_size = context->stack_bytes;
    context->context.uc_link = &return_to->context;
    context->entry = entry;
    context->argument = argument;
    memset(context->exclusivity, 0, sizeof context->exclusivity);
    uintptr_t address = (uintptr_t)context;
    makecontext(&context->context, (void (*)(void))racelab_context_trampoline, 2, (unsigned int)(address >> 32),
                (unsigned int)(address & 0xffffffffu));
}

void racelab_context_swap(racelab_context *from, racelab_context *to) {
    if (from->stack) swift_task_exitThreadLocalContext((char *)from->exclusivity);
    if (to->stack) swift_task_enterThreadLocalContext((char *)to->exclusivity);
    swapcontext(&from->context, &to->context);
}

#endif

struct racelab_exploration_flag racelab_explorations = {0};
static _Thread_local void *racelab_current_exploration = NULL;

void racelab_exploration_begin(void) { __atomic_add_fetch(&racelab_explorations.running, 1, __ATOMIC_SEQ_CST); }

void racelab_exploration_end(void) { __atomic_sub_fetch(&racelab_explorations.running, 1, __ATOMIC_SEQ_CST); }

void *racelab_exploration_current(void) { return racelab_current_exploration; }

void *racelab_exploration_set_current(void *exploration) {
    void *previous = racelab_current_exploration;
    racelab_current_exploration = exploration;
    return previous;
}

/// On a block of its own too: made drop-ins write it, the flag above is read by all.
static struct {
    int64_t next;
    char padding[120];
} racelab_object_ids __attribute__((aligned(128))) = {0};

int64_t racelab_next_object_id(void) {
    return ((int64_t)1 << 40) + __atomic_add_fetch(&racelab_object_ids.next, 1, __ATOMIC_RELAXED);
}

// MARK: the async explorer's hooks

#define RACELAB_SWIFTCC __attribute__((swiftcall))
typedef RACELAB_SWIFTCC void (*racelab_enqueue_original)(void *job);
typedef RACELAB_SWIFTCC void (*racelab_enqueue_hook)(void *job, racelab_enqueue_original original);
extern racelab_enqueue_hook swift_task_enqueueGlobal_hook __attribute__((weak));
extern racelab_enqueue_hook swift_task_enqueueMainExecutor_hook __attribute__((weak));
extern void (*_swift_tsan_acquire)(const void *) __attribute__((weak));
extern RACELAB_SWIFTCC uint64_t swift_task_getJobTaskId(const void *job) __attribute__((weak));

typedef RACELAB_SWIFTCC void (*racelab_delay_original)(unsigned long long delay, void *job);
typedef RACELAB_SWIFTCC void (*racelab_delay_hook)(unsigned long long delay, void *job, racelab_delay_original original);
typedef RACELAB_SWIFTCC void (*racelab_deadline_original)(long long sec, long long nsec, long long tsec, long long tnsec,
                                                          int clock, void *job);
typedef RACELAB_SWIFTCC void (*racelab_deadline_hook)(long long sec, long long nsec, long long tsec, long long tnsec,
                                                      int clock, void *job, racelab_deadline_original original);
extern racelab_delay_hook swift_task_enqueueGlobalWithDelay_hook __attribute__((weak));
extern racelab_deadline_hook swift_task_enqueueGlobalWithDeadline_hook __attribute__((weak));
extern RACELAB_SWIFTCC void swift_get_time(long long *seconds, long long *nanoseconds, int clock) __attribute__((weak));
static racelab_delay_hook previous_delay_hook;
static racelab_deadline_hook previous_deadline_hook;

static _Thread_local racelab_async_capture *racelab_capture = NULL;
static racelab_enqueue_hook previous_global_hook, previous_main_hook;
static void (*previous_acquire)(const void *);
static pthread_once_t racelab_async_once = PTHREAD_ONCE_INIT;

/// A global or main-actor enqueue: the explorer's on its thread, else what was there.
static inline void racelab_on_enqueue(void *job, racelab_enqueue_original original, racelab_enqueue_hook previous,
                                      int main) {
    racelab_async_capture *capture = racelab_capture;
    if (capture) {
        capture->enqueue(capture->context, job, main);
    } else if (previous) {
        previous(job, original);
    } else {
        original(job);
    }
}

static RACELAB_SWIFTCC void racelab_on_global(void *job, racelab_enqueue_original original) {
    racelab_on_enqueue(job, original, previous_global_hook, 0);
}

static RACELAB_SWIFTCC void racelab_on_main(void *job, racelab_enqueue_original original) {
    racelab_on_enqueue(job, original, previous_main_hook, 1);
}

static RACELAB_SWIFTCC void racelab_on_delay(unsigned long long delay, void *job, racelab_delay_original original) {
    racelab_async_capture *capture = racelab_capture;
    if (capture) {
        capture->sleep(capture->context, job, delay > (unsigned long long)INT64_MAX ? INT64_MAX : (int64_t)delay, 0);
    } else if (previous_delay_hook) {
        previous_delay_hook(delay, job, original);
    } else {
        original(delay, job);
    }
}

static RACELAB_SWIFTCC void racelab_on_deadline(long long sec, long long nsec, long long tsec, long long tnsec, int clock,
                                                void *job, racelab_deadline_original original) {
    racelab_async_capture *capture = racelab_capture;
    if (capture) {
        long long now_sec = 0, now_nsec = 0;
        if (&swift_get_time) swift_get_time(&now_sec, &now_nsec, clock);
        __int128 left = ((__int128)sec - now_sec) * 1000000000 + (nsec - now_nsec);
        if (left < 0) left = 0;
        if (left > INT64_MAX) left = INT64_MAX;
        capture->sleep(capture->context, job, (int64_t)left, 1);
    } else if (previous_deadline_hook) {
        previous_deadline_hook(sec, nsec, tsec, tnsec, clock, job, original);
    } else {
        original(sec, nsec, tsec, tnsec, clock, job);
    }
}

static void racelab_on_acquire(const void *address) {
    racelab_async_capture *capture = racelab_capture;
    if (capture) capture->acquire(capture->context, address);
    if (previous_acquire) previous_acquire(address);
}

/// Installs `ours` in a runtime hook (if this runtime exports it), keeping what was
/// there to chain to.
#define RACELAB_CHAIN(hook, previous, ours) \
    do {                                   \
        if (&hook) {                       \
            previous = hook;               \
            hook = ours;                   \
        }                                  \
    } while (0)

static void racelab_async_install_once(void) {
    RACELAB_CHAIN(swift_task_enqueueGlobal_hook, previous_global_hook, racelab_on_global);
    RACELAB_CHAIN(swift_task_enqueueMainExecutor_hook, previous_main_hook, racelab_on_main);
    RACELAB_CHAIN(swift_task_enqueueGlobalWithDelay_hook, previous_delay_hook, racelab_on_delay);
    RACELAB_CHAIN(swift_task_enqueueGlobalWithDeadline_hook, previous_deadline_hook, racelab_on_deadline);
    RACELAB_CHAIN(_swift_tsan_acquire, previous_acquire, racelab_on_acquire);
}

void racelab_async_install(void) { pthread_once(&racelab_async_once, racelab_async_install_once); }

racelab_async_capture *racelab_async_set_current(racelab_async_capture *capture) {
    racelab_async_capture *previous = racelab_capture;
    racelab_capture = capture;
    return previous;
}

extern RACELAB_SWIFTCC void swift_task_enqueueGlobal(void *job) __attribute__((weak));

extern RACELAB_SWIFTCC void swift_task_enqueueMainExecutor(void *job) __attribute__((weak));

/// Through the runtime's entry point `enqueue` with this thread's capture cleared: the
/// hook then hands the job to what ran before racelab's (another hook, or the runtime).
static void racelab_enqueue_uncaptured(RACELAB_SWIFTCC void (*enqueue)(void *), void *job) {
    racelab_async_capture *saved = racelab_capture;
    racelab_capture = NULL;
    if (enqueue) enqueue(job);
    racelab_capture = saved;
}

void racelab_async_enqueue_original(void *job) {
    racelab_enqueue_uncaptured(&swift_task_enqueueGlobal ? swift_task_enqueueGlobal : NULL, job);
}

void racelab_async_enqueue_original_main(void *job) {
    racelab_enqueue_uncaptured(&swift_task_enqueueMainExecutor ? swift_task_enqueueMainExecutor : NULL, job);
}

extern RACELAB_SWIFTCC uint32_t swift_task_getJobFlags(const void *job) __attribute__((weak));

int racelab_job_kind(const void *job) {
    return &swift_task_getJobFlags ? (int)(swift_task_getJobFlags(job) & 0xFF) : -1;
}

uint64_t racelab_job_task_id(const void *job) {
    return &swift_task_getJobTaskId ? swift_task_getJobTaskId(job) : 0;
}

typedef struct {
    void *identity;
    uintptr_t implementation;
} racelab_executor_ref;
extern RACELAB_SWIFTCC racelab_executor_ref swift_task_getCurrentExecutor(void) __attribute__((weak));

void *racelab_current_executor_identity(void) {
    return &swift_task_getCurrentExecutor ? swift_task_getCurrentExecutor().identity : NULL;
}

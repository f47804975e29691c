// The coroutine switch of CRaceLabShims alone, in C: the physical limit of a scheduling step.
// A coroutine and the main context take turns N times (a round trip: two switches), the
// coroutine touching floating point and recursing now and then; the program checks that
// both sides kept their registers (a callee-saved local, a counter) and prints ns per round
// trip. Built by scripts/bench.sh (section explore) and scripts/switch-arm64.sh.
#include "CRaceLabShims.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
// The Swift runtime's exclusivity hooks the switch calls: nothing to save without Swift.
void swift_task_enterThreadLocalContext(char *s) { (void)s; }
void swift_task_exitThreadLocalContext(char *s) { (void)s; }
static racelab_context *main_ctx, *co;
static volatile long counter;
static double acc = 1.0;
static int depth(int n) { char buf[256]; memset(buf, n, sizeof buf); return n == 0 ? buf[0] : depth(n - 1) + buf[1]; }
static void body(void *arg) {
    long rounds = (long)arg;
    for (long i = 0; i < rounds; i++) {
        counter++;
        acc = acc * 1.0000001 + 0.5;   /* floating point kept across switches */
        if (i % 1000 == 0) depth(100);
        racelab_context_swap(co, main_ctx);
    }
}
int main(void) {
    main_ctx = racelab_context_new(0);
    co = racelab_context_new(1 << 20);
    long rounds = 1000000;
    for (int run = 0; run < 3; run++) {
        counter = 0;
        racelab_context_prepare(co, main_ctx, body, (void *)rounds);
        double local = 3.25;
        struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
        for (long i = 0; i <= rounds; i++) { racelab_context_swap(main_ctx, co); local += 1; }
        clock_gettime(CLOCK_MONOTONIC, &b);
        double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / rounds;
        printf("run %d: counter %ld (want %ld), local %.2f (want %.2f), acc finite %d, %.1f ns per round trip\n",
               run, counter, rounds, local, 3.25 + rounds + 1, acc == acc, ns);
        if (counter != rounds || local != 3.25 + rounds + 1) return 1;
    }
    return 0;
}

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

int racelab_current_cpu(void) { return sched_getcpu(); }

#else
int racelab_allowed_cpus(int32_t *out, int32_t capacity) { (void)out; (void)capacity; return -1; }
int racelab_pin_current_thread(int32_t cpu) { (void)cpu; return 0; }
int racelab_current_cpu(void) { return -1; }
#endif

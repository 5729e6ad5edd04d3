/* ceiling: how much faster two threads finish two equal pieces of pure
 * arithmetic than one thread finishes one, on this machine, in C with
 * nothing shared. It is the best speed-up `parallel_fib` can show here;
 * a VM's virtual cores often give less than 2.0.
 *
 *   cc -O2 -pthread bench/ceiling.c -o /tmp/ceiling && /tmp/ceiling
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define STEPS 400000000L

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *work(void *unused) {
    volatile long acc = 0;
    for (long i = 0; i < STEPS; i++) acc += i * 7 % 13;
    return unused;
}

int main(void) {
    double best_single = 1e9, best_parallel = 1e9;
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        work(NULL);
        double t1 = now();
        pthread_t a, b;
        pthread_create(&a, NULL, work, NULL);
        pthread_create(&b, NULL, work, NULL);
        pthread_join(a, NULL);
        pthread_join(b, NULL);
        double t2 = now();
        if (t1 - t0 < best_single) best_single = t1 - t0;
        if (t2 - t1 < best_parallel) best_parallel = t2 - t1;
    }
    printf("one thread %.3f s, two threads %.3f s, speed-up %.3f\n",
           best_single, best_parallel, 2 * best_single / best_parallel);
    return 0;
}

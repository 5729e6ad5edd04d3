# parallel_fib: CPU-bound work on two threads at once. Times one fib(n) on
# the main thread, then two fib(n) on two threads in parallel, and reports
# the speed-up (throughput of two threads / one thread; 2.0 is perfect).
# Each phase runs three times, alternating, and the fastest of each counts:
# a phase takes only a tenth of a second, so one slow moment would decide it.
import sys
import threading
import time

n = 28
if len(sys.argv) > 1:
    n = int(sys.argv[1])


def fib(k):
    if k < 2:
        return k
    return fib(k - 1) + fib(k - 2)


results = [0, 0]


def worker(idx):
    results[idx] = fib(n)


single = 0
best_single = None
best_parallel = None
for round in range(3):
    t0 = time.monotonic()
    single = fib(n)
    t1 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(0,)), threading.Thread(target=worker, args=(1,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t2 = time.monotonic()
    if best_single is None or t1 - t0 < best_single:
        best_single = t1 - t0
    if best_parallel is None or t2 - t1 < best_parallel:
        best_parallel = t2 - t1

print("one thread: fib(%d) = %d" % (n, single))
print("two threads: fib(%d) = %d, %d" % (n, results[0], results[1]))
print("#metric single_s %.4f" % best_single)
print("#metric parallel_s %.4f" % best_parallel)
print("#metric speedup %.3f" % (2 * best_single / best_parallel))

# parallel_fib: CPU-bound work on two threads at once. Times one fib(n) on
# the main thread, then two fib(n) on two threads in parallel, and reports
# the speed-up (throughput of two threads / one thread; 2.0 is perfect).
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


t0 = time.monotonic()
single = fib(n)
t1 = time.monotonic()
threads = [threading.Thread(target=worker, args=(0,)), threading.Thread(target=worker, args=(1,))]
for t in threads:
    t.start()
for t in threads:
    t.join()
t2 = time.monotonic()

print("one thread: fib(%d) = %d" % (n, single))
print("two threads: fib(%d) = %d, %d" % (n, results[0], results[1]))
print("#metric single_s %.4f" % (t1 - t0))
print("#metric parallel_s %.4f" % (t2 - t1))
print("#metric speedup %.3f" % (2 * (t1 - t0) / (t2 - t1)))

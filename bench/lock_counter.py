# lock_counter: two threads each doing k lock-guarded increments of a shared
# counter (contended lock acquire/release).
import sys
import threading

k = 200000
if len(sys.argv) > 1:
    k = int(sys.argv[1])

counter = 0
guard = threading.Lock()


def worker(k):
    global counter
    for i in range(k):
        with guard:
            counter += 1


threads = [threading.Thread(target=worker, args=(k,)) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("counter: %d (expected %d)" % (counter, 2 * k))

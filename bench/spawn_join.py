# spawn_join: start n short-lived threads, then join them all (thread
# creation and teardown cost).
import sys
import threading

n = 5000
if len(sys.argv) > 1:
    n = int(sys.argv[1])

results = []


def worker(i):
    results.append(i * 2)


threads = []
for i in range(n):
    t = threading.Thread(target=worker, args=(i,))
    t.start()
    threads.append(t)
for t in threads:
    t.join()
print("threads: %d, results: %d, sum: %d" % (len(threads), len(results), sum(results)))

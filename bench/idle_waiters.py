# idle_waiters: n threads wait on an event with no timeout while the main
# thread sleeps, then all are released (the twin of idle_waiters.thr).
import sys
import threading
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0

go = threading.Event()
woke = []


def waiter(i):
    go.wait()
    woke.append(i)


threads = [threading.Thread(target=waiter, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
time.sleep(secs)
go.set()
for t in threads:
    t.join()
print("waiters: %d, woke: %d" % (n, len(woke)))

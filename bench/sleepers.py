# sleepers: n threads sleeping at the same time (memory per idle thread;
# the runner reports the peak RSS). Arguments: n, then the sleep in seconds.
import sys
import threading
import time

n = 1000
secs = 1.0
if len(sys.argv) > 1:
    n = int(sys.argv[1])
if len(sys.argv) > 2:
    secs = float(sys.argv[2])

woke = []


def sleeper(i):
    time.sleep(secs)
    woke.append(i)


threads = []
for i in range(n):
    t = threading.Thread(target=sleeper, args=(i,))
    t.start()
    threads.append(t)
alive = threading.active_count() - 1
for t in threads:
    t.join()
print("sleepers: %d, woke: %d" % (n, len(woke)))
print("#metric alive_after_spawn %d" % alive)

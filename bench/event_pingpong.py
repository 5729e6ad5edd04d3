# event_pingpong: n round trips between the main thread and a second thread,
# signalled with two events (wake-up latency of event set/wait).
import sys
import threading

n = 20000
if len(sys.argv) > 1:
    n = int(sys.argv[1])

ping = threading.Event()
pong = threading.Event()
served = 0


def ponger(n):
    global served
    for i in range(n):
        ping.wait()
        ping.clear()
        served += 1
        pong.set()


t = threading.Thread(target=ponger, args=(n,))
t.start()
for i in range(n):
    ping.set()
    pong.wait()
    pong.clear()
t.join()
print("round trips: %d, served: %d" % (n, served))

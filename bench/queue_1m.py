# queue_1m: a producer thread puts n items on an unbounded queue, followed by
# a None sentinel; the main thread takes them off and sums them.
import queue
import sys
import threading

n = 1000000
if len(sys.argv) > 1:
    n = int(sys.argv[1])

q = queue.Queue()


def producer(n):
    for i in range(n):
        q.put(i)
    q.put(None)


t = threading.Thread(target=producer, args=(n,))
t.start()
count = 0
total = 0
while True:
    item = q.get()
    if item is None:
        break
    count += 1
    total += item
t.join()
print("items: %d, sum: %d" % (count, total))

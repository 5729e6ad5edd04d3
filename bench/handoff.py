# handoff: a producer thread makes n fresh two-item lists and puts each on a
# queue, followed by a None sentinel; the main thread takes them off and sums
# their items. Every list is made by one thread and read by another, so
# every one changes hands once.
import queue
import sys
import threading

n = 200000
if len(sys.argv) > 1:
    n = int(sys.argv[1])

q = queue.Queue()


def producer(n):
    for i in range(n):
        q.put([i, 1])
    q.put(None)


t = threading.Thread(target=producer, args=(n,))
t.start()
count = 0
total = 0
while True:
    item = q.get()
    if item is None:
        break
    count += item[1]
    total += item[0]
t.join()
print("items: %d, sum: %d" % (count, total))

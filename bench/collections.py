# collections: list and map operations (push/pop, indexing, slicing,
# counting with get, membership, sorting, iteration over items).
import sys

n = 200000
if len(sys.argv) > 1:
    n = int(sys.argv[1])


def run(n):
    xs = []
    for i in range(n):
        xs.append((i * 7919) % 10007)

    # indexing and in-place updates
    total = 0
    i = 0
    while i < len(xs):
        total += xs[i]
        if i > 0 and xs[i] < xs[i - 1]:
            xs[i] += 1
        i += 1

    # counting with an int-keyed map
    counts = {}
    for x in xs:
        k = x % 101
        counts[k] = counts.get(k, 0) + 1
    top = 0
    for k, v in counts.items():
        if v > top:
            top = v

    # a stack
    stack = []
    popped = 0
    for x in xs:
        stack.append(x)
        if x % 3 == 0:
            popped += stack.pop()

    # string-keyed map: insert, overwrite, membership, delete
    words = {}
    for j in range(n):
        words["w" + str(j % 500)] = j
    hits = 0
    for j in range(n):
        if ("w" + str(j % 700)) in words:
            hits += 1
    for j in range(250):
        words.pop("w" + str(j * 2))

    # sorting, slicing, nested lists
    srt = sorted(xs)
    mid = srt[len(srt) // 4:len(srt) // 4 + 10]
    rows = []
    for j in range(n // 10):
        rows.append([j, j * 2, [j % 7]])
    nested = 0
    for r in rows:
        nested += r[1] + r[2][0]

    print("total: %d, top: %d, keys: %d" % (total, top, len(counts)))
    print("stack: %d, popped: %d" % (len(stack), popped))
    print("words: %d, hits: %d" % (len(words), hits))
    print("sorted: %d..%d, mid: %s" % (srt[0], srt[-1], mid))
    print("rows: %d, nested: %d" % (len(rows), nested))


run(n)

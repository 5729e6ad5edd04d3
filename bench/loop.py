# loop: a plain `while` loop doing integer arithmetic on locals.
import sys

n = 3000000
if len(sys.argv) > 1:
    n = int(sys.argv[1])


def run(n):
    i = 0
    acc = 0
    while i < n:
        acc = (acc + i * 7 + 3) % 1000003
        if acc % 2 == 0:
            acc += 1
        i += 1
    return acc


print("iterations: %d" % n)
print("acc = %d" % run(n))

# fib: recursive function calls and integer arithmetic.
import sys

n = 30
if len(sys.argv) > 1:
    n = int(sys.argv[1])


def fib(k):
    if k < 2:
        return k
    return fib(k - 1) + fib(k - 2)


print("fib(%d) = %d" % (n, fib(n)))

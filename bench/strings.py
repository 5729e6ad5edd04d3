# strings: string building (concatenation, join) and `%` formatting,
# plus a few whole-string methods (upper, replace, split, find).
import sys

n = 200000
if len(sys.argv) > 1:
    n = int(sys.argv[1])


def run(n):
    parts = []
    buf = ""
    flushed = 0
    total = 0
    for i in range(n):
        key = "k" + str(i % 13)
        line = "item %05d: <%s>%s|%.2f|%x|%r" % (i, key, "ab" * (i % 4), i / 7, i, key)
        parts.append(line)
        total += len(line)
        buf += key + ";"
        if len(buf) > 1000:
            flushed += 1
            buf = ""
    joined = ",".join(parts)
    upper = joined.upper()
    replaced = upper.replace("ITEM", "it")
    pieces = replaced.split(",")
    print("lines: %d, chars: %d, joined: %d" % (len(parts), total, len(joined)))
    print("flushed: %d, tail: %d" % (flushed, len(buf)))
    print("pieces: %d, replaced: %d" % (len(pieces), len(replaced)))
    print("first: %s" % pieces[0])
    print("last: %s" % pieces[-1])
    print("find: %d" % replaced.find("<K12>ABABAB"))


run(n)

# wordcount: builds a text of n words from a fixed set of syllables, chosen
# by a linear congruential generator (the same numbers in every language),
# then counts the words in a dict and prints the most frequent.
import sys

n = 500000
if len(sys.argv) > 1:
    n = int(sys.argv[1])

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo",
             "ba", "de", "fi", "go", "hu", "ja", "ke", "lu"]


def generate(n):
    """Lines of ten words. Each word takes one step of the generator: its low
    three bits pick one, two or three syllables (half the words have one),
    the next twelve bits the syllables."""
    lines = []
    line = []
    state = 42
    for i in range(n):
        state = (state * 1103515245 + 12345) % 2147483648
        r = state // 65536
        k = r % 8
        word = SYLLABLES[r // 8 % 16]
        if k >= 4:
            word += SYLLABLES[r // 128 % 16]
        if k == 7:
            word += SYLLABLES[r // 2048 % 16]
        line.append(word)
        if len(line) == 10:
            lines.append(" ".join(line))
            line = []
    if len(line) > 0:
        lines.append(" ".join(line))
    return "\n".join(lines)


def count(text):
    counts = {}
    for line in text.split("\n"):
        for word in line.split(" "):
            counts[word] = counts.get(word, 0) + 1
    return counts


def run(n):
    text = generate(n)
    counts = count(text)
    total = 0
    for w, c in counts.items():
        total += c
    print("words: %d, distinct: %d, characters: %d" % (total, len(counts), len(text)))
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    for item in top[:10]:
        print("%-6s %d" % (item[0], item[1]))


run(n)

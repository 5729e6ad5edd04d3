# startup: one line printed; what a run costs before its first statement
# and after its last.
print("hello")

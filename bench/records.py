# records: method calls on records. In Python a record is an instance of a
# class and methods are called as obj.method(...).
import sys

n = 300000
if len(sys.argv) > 1:
    n = int(sys.argv[1])


class Account:
    def __init__(self, name, balance):
        self.name = name
        self.balance = balance
        self.ops = 0

    def deposit(self, amount):
        self.balance += amount
        self.ops += 1

    def withdraw(self, amount):
        if amount > self.balance:
            return False
        self.balance -= amount
        self.ops += 1
        return True

    def get_balance(self):
        return self.balance

    def report(self):
        return "%s: %d (%d ops)" % (self.name, self.balance, self.ops)


class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, o):
        return Vec(self.x + o.x, self.y + o.y)

    def dot(self, o):
        return self.x * o.x + self.y * o.y


def run(n):
    accounts = []
    for i in range(100):
        accounts.append(Account("acct%d" % i, 1000))
    refused = 0
    for i in range(n):
        a = accounts[i % 100]
        b = accounts[(i * 7 + 3) % 100]
        amount = (i * 31) % 500
        if a.withdraw(amount):
            b.deposit(amount)
        else:
            refused += 1
    total = 0
    for a in accounts:
        total += a.get_balance()

    v = Vec(0, 0)
    step = Vec(1, 2)
    dots = 0
    for i in range(n // 10):
        v = v.add(step)
        dots += v.dot(step) % 1000

    print("refused: %d, total: %d" % (refused, total))
    print(accounts[0].report())
    print(accounts[99].report())
    print("vec: %d %d, dots: %d" % (v.x, v.y, dots))


run(n)

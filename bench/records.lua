-- records: method calls on records. In Lua a record is a table whose
-- metatable holds the methods of its class, called as obj:method(...).
local n = tonumber(arg[1]) or 300000

local Account = {}
Account.__index = Account

function Account.new(name, balance)
    return setmetatable({name = name, balance = balance, ops = 0}, Account)
end

function Account:deposit(amount)
    self.balance = self.balance + amount
    self.ops = self.ops + 1
end

function Account:withdraw(amount)
    if amount > self.balance then return false end
    self.balance = self.balance - amount
    self.ops = self.ops + 1
    return true
end

function Account:get_balance()
    return self.balance
end

function Account:report()
    return string.format("%s: %d (%d ops)", self.name, self.balance, self.ops)
end

local Vec = {}
Vec.__index = Vec

function Vec.new(x, y)
    return setmetatable({x = x, y = y}, Vec)
end

function Vec:add(o)
    return Vec.new(self.x + o.x, self.y + o.y)
end

function Vec:dot(o)
    return self.x * o.x + self.y * o.y
end

local function run(n)
    local accounts = {}
    for i = 0, 99 do
        accounts[#accounts + 1] = Account.new(string.format("acct%d", i), 1000)
    end
    local refused = 0
    for i = 0, n - 1 do
        local a = accounts[i % 100 + 1]
        local b = accounts[(i * 7 + 3) % 100 + 1]
        local amount = (i * 31) % 500
        if a:withdraw(amount) then
            b:deposit(amount)
        else
            refused = refused + 1
        end
    end
    local total = 0
    for _, a in ipairs(accounts) do total = total + a:get_balance() end

    local v = Vec.new(0, 0)
    local step = Vec.new(1, 2)
    local dots = 0
    for _ = 0, n // 10 - 1 do
        v = v:add(step)
        dots = dots + v:dot(step) % 1000
    end

    print(string.format("refused: %d, total: %d", refused, total))
    print(accounts[1]:report())
    print(accounts[100]:report())
    print(string.format("vec: %d %d, dots: %d", v.x, v.y, dots))
end

run(n)

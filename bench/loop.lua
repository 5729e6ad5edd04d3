-- loop: a plain `while` loop doing integer arithmetic on locals.
local n = tonumber(arg[1]) or 3000000

local function run(n)
    local i = 0
    local acc = 0
    while i < n do
        acc = (acc + i * 7 + 3) % 1000003
        if acc % 2 == 0 then acc = acc + 1 end
        i = i + 1
    end
    return acc
end

print(string.format("iterations: %d", n))
print(string.format("acc = %d", run(n)))

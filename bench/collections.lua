-- collections: list and map operations (push/pop, indexing, slicing,
-- counting, membership, sorting, iteration over pairs), on Lua tables.
-- Lua's lists count from 1.
local n = tonumber(arg[1]) or 200000

local function size(t)
    local count = 0
    for _ in pairs(t) do count = count + 1 end
    return count
end

local function run(n)
    local xs = {}
    for i = 0, n - 1 do
        xs[#xs + 1] = (i * 7919) % 10007
    end

    -- indexing and in-place updates
    local total = 0
    local i = 1
    while i <= #xs do
        total = total + xs[i]
        if i > 1 and xs[i] < xs[i - 1] then
            xs[i] = xs[i] + 1
        end
        i = i + 1
    end

    -- counting with an int-keyed map
    local counts = {}
    for _, x in ipairs(xs) do
        local k = x % 101
        counts[k] = (counts[k] or 0) + 1
    end
    local top = 0
    for _, v in pairs(counts) do
        if v > top then top = v end
    end

    -- a stack
    local stack = {}
    local popped = 0
    for _, x in ipairs(xs) do
        stack[#stack + 1] = x
        if x % 3 == 0 then
            popped = popped + table.remove(stack)
        end
    end

    -- string-keyed map: insert, overwrite, membership, delete
    local words = {}
    for j = 0, n - 1 do
        words["w" .. (j % 500)] = j
    end
    local hits = 0
    for j = 0, n - 1 do
        if words["w" .. (j % 700)] ~= nil then hits = hits + 1 end
    end
    for j = 0, 249 do
        words["w" .. (j * 2)] = nil
    end

    -- sorting, slicing, nested lists
    local srt = table.move(xs, 1, #xs, 1, {})
    table.sort(srt)
    local from = #srt // 4
    local mid = table.move(srt, from + 1, math.min(from + 10, #srt), 1, {})
    local rows = {}
    for j = 0, n // 10 - 1 do
        rows[#rows + 1] = {j, j * 2, {j % 7}}
    end
    local nested = 0
    for _, r in ipairs(rows) do
        nested = nested + r[2] + r[3][1]
    end

    print(string.format("total: %d, top: %d, keys: %d", total, top, size(counts)))
    print(string.format("stack: %d, popped: %d", #stack, popped))
    print(string.format("words: %d, hits: %d", size(words), hits))
    print(string.format("sorted: %d..%d, mid: [%s]", srt[1], srt[#srt], table.concat(mid, ", ")))
    print(string.format("rows: %d, nested: %d", #rows, nested))
end

run(n)

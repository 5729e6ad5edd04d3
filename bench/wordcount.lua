-- wordcount: builds a text of n words from a fixed set of syllables, chosen
-- by a linear congruential generator (the same numbers in every language),
-- then counts the words in a table and prints the most frequent.
local n = tonumber(arg[1]) or 500000

local SYLLABLES = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo",
                   "ba", "de", "fi", "go", "hu", "ja", "ke", "lu"}

-- Lines of ten words. Each word takes one step of the generator: its low
-- three bits pick one, two or three syllables (half the words have one), the
-- next twelve bits the syllables. Lua's lists count from 1.
local function generate(n)
    local lines = {}
    local line = {}
    local state = 42
    for _ = 1, n do
        state = (state * 1103515245 + 12345) % 2147483648
        local r = state // 65536
        local k = r % 8
        local word = SYLLABLES[r // 8 % 16 + 1]
        if k >= 4 then word = word .. SYLLABLES[r // 128 % 16 + 1] end
        if k == 7 then word = word .. SYLLABLES[r // 2048 % 16 + 1] end
        line[#line + 1] = word
        if #line == 10 then
            lines[#lines + 1] = table.concat(line, " ")
            line = {}
        end
    end
    if #line > 0 then lines[#lines + 1] = table.concat(line, " ") end
    return table.concat(lines, "\n")
end

-- Lua has no split: the words are the runs of non-spaces of each line.
local function count(text)
    local counts = {}
    for line in string.gmatch(text, "[^\n]+") do
        for word in string.gmatch(line, "[^ ]+") do
            counts[word] = (counts[word] or 0) + 1
        end
    end
    return counts
end

local function run(n)
    local text = generate(n)
    local counts = count(text)
    local total, distinct = 0, 0
    local items = {}
    for w, c in pairs(counts) do
        total = total + c
        distinct = distinct + 1
        items[#items + 1] = {w, c}
    end
    print(string.format("words: %d, distinct: %d, characters: %d", total, distinct, #text))
    table.sort(items, function(a, b)
        if a[2] ~= b[2] then return a[2] > b[2] end
        return a[1] < b[1]
    end)
    for i = 1, math.min(10, #items) do
        print(string.format("%-6s %d", items[i][1], items[i][2]))
    end
end

run(n)

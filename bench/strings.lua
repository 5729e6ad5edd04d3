-- strings: string building (concatenation, table.concat) and
-- string.format, plus a few whole-string functions (upper, gsub, find) and
-- a split written with a plain find, as Lua has none.
local n = tonumber(arg[1]) or 200000

local function split(s, sep)
    local pieces = {}
    local start = 1
    while true do
        local at = string.find(s, sep, start, true)
        if not at then break end
        pieces[#pieces + 1] = string.sub(s, start, at - 1)
        start = at + #sep
    end
    pieces[#pieces + 1] = string.sub(s, start)
    return pieces
end

local function run(n)
    local parts = {}
    local buf = ""
    local flushed = 0
    local total = 0
    for i = 0, n - 1 do
        local key = "k" .. (i % 13)
        -- Python's %r of a string: the text in single quotes.
        local line = string.format("item %05d: <%s>%s|%.2f|%x|'%s'",
                                   i, key, string.rep("ab", i % 4), i / 7, i, key)
        parts[#parts + 1] = line
        total = total + #line
        buf = buf .. key .. ";"
        if #buf > 1000 then
            flushed = flushed + 1
            buf = ""
        end
    end
    local joined = table.concat(parts, ",")
    local upper = string.upper(joined)
    local replaced = string.gsub(upper, "ITEM", "it")
    local pieces = split(replaced, ",")
    print(string.format("lines: %d, chars: %d, joined: %d", #parts, total, #joined))
    print(string.format("flushed: %d, tail: %d", flushed, #buf))
    print(string.format("pieces: %d, replaced: %d", #pieces, #replaced))
    print("first: " .. pieces[1])
    print("last: " .. pieces[#pieces])
    -- find's position counts from 1 and is nil when absent; Python's from 0, -1.
    print(string.format("find: %d", (string.find(replaced, "<K12>ABABAB", 1, true) or 0) - 1))
end

run(n)

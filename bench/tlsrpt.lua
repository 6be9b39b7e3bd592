-- wrk script for bench/tlsrpt.sh: every request a distinct 350-byte
-- gzip'd TLS report, POSTed to the receiver or PUT by nginx's DAV module
-- under a distinct name, so that every request stores a new file.
--
--   wrk -s bench/tlsrpt.lua URL -- post|put PREFIX.gz SUFFIX.gz ROUND
--
-- A report is three gzip members: PREFIX (the JSON up to the report-id's
-- value), a stored (uncompressed) member with a unique id, and SUFFIX
-- (the rest of the report).

local bit = require("bit")

local threads = {}
local nthread = 0

function setup(thread)
    nthread = nthread + 1
    thread:set("tid", nthread)
    table.insert(threads, thread)
end

local crc_table = {}

for i = 0, 255 do
    local c = i
    for _ = 1, 8 do
        if bit.band(c, 1) == 1 then
            c = bit.bxor(0xedb88320, bit.rshift(c, 1))
        else
            c = bit.rshift(c, 1)
        end
    end
    crc_table[i] = c
end

local function crc32(s)
    local c = 0xffffffff
    for i = 1, #s do
        c = bit.bxor(crc_table[bit.band(bit.bxor(c, s:byte(i)), 0xff)],
                     bit.rshift(c, 8))
    end
    return bit.bnot(c)
end

local function le(n, bytes)
    local t = {}
    for i = 1, bytes do
        t[i] = string.char(bit.band(n, 0xff))
        n = bit.rshift(n, 8)
    end
    return table.concat(t)
end

local function stored(s)
    return "\31\139\8\0\0\0\0\0\0\255"
        .. "\1" .. le(#s, 2) .. le(bit.band(bit.bnot(#s), 0xffff), 2) .. s
        .. le(crc32(s), 4) .. le(#s, 4)
end

local function slurp(name)
    local f = assert(io.open(name, "rb"))
    local s = f:read("*a")
    f:close()
    return s
end

local mode, prefix, suffix, round
local n = 0
bad = 0

function init(args)
    mode = args[1]
    prefix = slurp(args[2])
    suffix = slurp(args[3])
    round = args[4]
end

function request()
    n = n + 1
    local id = string.format("r%s-t%d-%08d", round, tid, n)
    local body = prefix .. stored(id) .. suffix

    if mode == "post" then
        return wrk.format("POST", "/.well-known/tlsrpt",
            { ["Content-Type"] = "application/tlsrpt+gzip" }, body)
    end

    return wrk.format("PUT", "/dav/" .. id .. ".json.gz", nil, body)
end

function response(status, headers, body)
    if status ~= 201 then
        bad = bad + 1
    end
end

function done(summary, latency, requests)
    local b = 0
    for _, t in ipairs(threads) do
        b = b + t:get("bad")
    end
    io.write(string.format("requests %d not-201 %d\n",
                           summary.requests, b))
end

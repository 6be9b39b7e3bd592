-- wrk script for bench/run.sh: the "10k" variants, every request to the
-- next of DOMAINS domains of one map (mta-sts.example.com and
-- mta-sts.dNNNNN.example), in the order of bench/run.sh's curl runs.
--
--   wrk -s bench/spread.lua URL -- DOMAINS

local d, k = 10000, 0
local host

function init(args)
    d = tonumber(args[1]) or d
end

function request()
    local i = (k * 7919) % d
    k = k + 1
    if i == 0 then
        host = "mta-sts.example.com"
    else
        host = string.format("mta-sts.d%05d.example", i)
    end
    return wrk.format(nil, nil, { ["Host"] = host })
end

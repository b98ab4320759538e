-- A random version-4 uuid; each thread seeds math.random with its own number (init).
function bench_uuid4()
   local r = math.random
   return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x",
      r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xfff), 0x8000 + r(0, 0x3fff),
      r(0, 0xffff), r(0, 0xffff), r(0, 0xffff))
end

-- A date `day` days after 1970-01-01, as YYYY-MM-DD.
function bench_date(day)
   return os.date("!%Y-%m-%d", day * 86400)
end

-- args: first day (days since 1970-01-01) of this run's dates, and a seed.
function init(args)
   bench_first_day = tonumber(args[1])
   math.randomseed(tonumber(args[2]) + 7919 * tid)
   counter = 0
end

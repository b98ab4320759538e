-- Appended to every bench script. Counts answers that are not the expected
-- status (wrk itself counts only >= 400) and writes one JSON object to
-- BENCH_WRK_OUT when the run ends.
-- Globals set by the driver's prelude: bench_expect (status), bench_check_status.

local bench_threads = {}
local bench_thread_count = 0

function setup(thread)
   thread:set("tid", bench_thread_count)
   bench_thread_count = bench_thread_count + 1
   table.insert(bench_threads, thread)
end

unexpected = 0

if bench_check_status then
   function response(status, headers, body)
      if status ~= bench_expect then
         unexpected = unexpected + 1
      end
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, thread in ipairs(bench_threads) do
      bad = bad + (thread:get("unexpected") or 0)
   end
   local e = summary.errors
   local out = assert(io.open(os.getenv("BENCH_WRK_OUT"), "w"))
   out:write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "unexpected_status": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}',
      summary.requests, summary.duration, summary.bytes, bad,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
   out:close()
end

-- POST /api/timesheets: a new uuid per request, 0.25 h, each request on its own
-- date (threads 100,000 days apart) so the 24 h/day rule never refuses one.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
   counter = counter + 1
   local body = string.format('{"date": "%s", "project": "StoreZero", "hours": 0.25, "uuid": "%s"}',
      bench_date(bench_first_day + 100000 * tid + counter), bench_uuid4())
   return wrk.format(nil, nil, nil, body)
end

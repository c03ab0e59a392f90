-- wrk: POST a booking for a new 5-minute slot each request (all on the grid, none taken).
local counter = 0
local base = tonumber(os.getenv("BENCH_BASE_EPOCH"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local start = os.date("!%Y-%m-%dT%H:%M:%SZ", base + counter * 300 + (wrk.thread_id or 0) * 86400 * 300)
  local body = '{"start":"' .. start .. '","duration":5,"time_zone":"UTC","name":"Load Test","email":"load@example.com"}'
  return wrk.format(nil, nil, nil, body)
end

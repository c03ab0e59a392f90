-- wrk: POST a booking for a new 5-minute slot each request (all on the grid, none taken),
-- starting at BENCH_BASE_EPOCH. Threads, ports and status counts: spread.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "spread.lua")
local counter = 0
init = function() counter = 0 end
local base = tonumber(os.getenv("BENCH_BASE_EPOCH"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  -- Each wrk thread has its own Lua state and counter: threads start 120 days apart.
  local start = os.date("!%Y-%m-%dT%H:%M:%SZ", base + counter * 300 + thread_index * 86400 * 120)
  local body = '{"start":"' .. start .. '","duration":5,"time_zone":"UTC","name":"Load Test","email":"load@example.com"}'
  return wrk.format(nil, nil, nil, body)
end

-- wrk: POST a booking for a new 5-minute slot each request (all on the grid, none taken).
local counter = 0
local threads = 0
-- Runs in the main state; `thread_offset` becomes a global in each thread's own state.
setup = function(thread)
  threads = threads + 1
  thread:set("thread_offset", threads * 86400 * 180)
end
init = function() counter = 0 end
local base = tonumber(os.getenv("BENCH_BASE_EPOCH"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  -- Each wrk thread has its own Lua state: spread threads a year apart.
  local start = os.date("!%Y-%m-%dT%H:%M:%SZ", base + counter * 300 + (thread_offset or 0))
  local body = '{"start":"' .. start .. '","duration":5,"time_zone":"UTC","name":"Load Test","email":"load@example.com"}'
  return wrk.format(nil, nil, nil, body)
end

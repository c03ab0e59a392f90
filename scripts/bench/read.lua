-- wrk: GET BENCH_PATH with "{id}" replaced by a profile id drawn at random (seeded per
-- thread) from BENCH_PREFIX .. 1 to BENCH_PREFIX .. BENCH_PROFILES. Threads, ports and
-- status counts: spread.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "spread.lua")
local profiles = tonumber(os.getenv("BENCH_PROFILES"))
local prefix = os.getenv("BENCH_PREFIX") or "p"
local path = os.getenv("BENCH_PATH")
init = function() math.randomseed(thread_index) end
request = function()
  local id = prefix .. math.random(profiles)
  return wrk.format("GET", (path:gsub("{id}", id)))
end

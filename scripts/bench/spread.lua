-- Shared by the wrk scripts (loaded with dofile): spreads wrk's threads round-robin over
-- the ports of 127.0.0.1 listed in BENCH_PORTS ("8081,8082,8083"; unset: the URL's own),
-- numbers the threads (`thread_index`, 1, 2, …, a global in each thread's own Lua state),
-- and counts the answers by status, printed as "statuses: 201=1234 409=2" at the end.
local threads = {}
local ports = {}
for port in string.gmatch(os.getenv("BENCH_PORTS") or "", "%d+") do
  ports[#ports + 1] = port
end

-- Runs in the main state, once per thread before it starts.
setup = function(thread)
  threads[#threads + 1] = thread
  local index = #threads
  thread:set("thread_index", index)
  if #ports > 0 then
    thread.addr = wrk.lookup(wrk.host, ports[(index - 1) % #ports + 1])[1]
  end
end

statuses = {}
response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local codes = {}
  for status in pairs(total) do codes[#codes + 1] = status end
  table.sort(codes)
  local parts = {}
  for _, status in ipairs(codes) do parts[#parts + 1] = status .. "=" .. total[status] end
  print("statuses: " .. table.concat(parts, " "))
end

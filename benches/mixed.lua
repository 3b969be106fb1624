-- wrk script: cycles through benches/queries.txt against /api/search (or $JX_PATH, e.g. /search)
-- and counts non-2xx answers. The same ~40 queries repeat, so caches help: the realistic stream.
local path = os.getenv("JX_PATH") or "/api/search"
local queries = {}
for line in io.lines("benches/queries.txt") do
  if #line > 0 then
    queries[#queries + 1] = line:gsub("([^%w%-_%.~])", function(c) return string.format("%%%02X", string.byte(c)) end)
  end
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", path .. "?q=" .. queries[(n % #queries) + 1])
end
local bad = 0
response = function(status)
  if status < 200 or status > 299 then bad = bad + 1 end
end
done = function(summary, latency)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, non-2xx (this thread view) %d, socket errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

-- wrk script: the broad stream. What a policymaker types: three of the corpus's commonest words
-- (from $JX_WORDS, the 60 commonest, one a line), so that every query matches a large share of the
-- entries; sometimes two of them as a quoted phrase, sometimes with a filter, as in the other
-- streams, against /api/search (or $JX_PATH). Request n of thread t draws its three words from
-- n in base W (offset by t), so the combinations run through all W^3 before repeating.
local path = os.getenv("JX_PATH") or "/api/search"
local words = {}
for line in io.lines(os.getenv("JX_WORDS") or "benches/broad.txt") do
  if #line > 0 then words[#words + 1] = line end
end
local regions = { "southeast-asia", "south-asia", "oceania", "europe", "north-america" }
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end
local n = 0
request = function()
  n = n + 1
  local w = #words
  local k = n + offset
  local a = words[(k % w) + 1]
  local b = words[(math.floor(k / w) % w) + 1]
  local c = words[(math.floor(k / (w * w)) % w) + 1]
  local q
  if n % 5 == 0 then
    q = '"' .. a .. " " .. b .. '" ' .. c
  else
    q = a .. " " .. b .. " " .. c
  end
  q = q:gsub(" ", "+"):gsub('"', "%%22")
  if n % 4 == 0 then
    q = q .. "&region=" .. regions[(n % #regions) + 1]
  end
  return wrk.format("GET", path .. "?q=" .. q)
end

-- wrk script: the cache-hostile stream. Every request is a new combination of terms drawn from
-- $JX_WORDS (one word a line, e.g. the corpus vocabulary): two or three terms, sometimes a quoted
-- phrase, a filter or a one-letter typo, against /api/search (or $JX_PATH). Request n of thread t
-- uses terms n, n / W and n / W^2 in base W (offset by t), so no combination repeats in a run.
local path = os.getenv("JX_PATH") or "/api/search"
local words = {}
for line in io.lines(os.getenv("JX_WORDS") or "benches/words.txt") do
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
  local b = words[((math.floor(k / w) + k * 31) % w) + 1]
  local q
  if n % 5 == 0 then
    q = '"' .. a .. " " .. b .. '"'
  elseif n % 3 == 0 then
    q = a .. " " .. b .. " " .. words[((math.floor(k / (w * w)) + k * 17) % w) + 1]
  else
    q = a .. " " .. b
  end
  if n % 7 == 0 and #a > 4 then
    q = a:sub(1, 2) .. a:sub(4) .. " " .. b
  end
  q = q:gsub(" ", "+"):gsub('"', "%%22")
  if n % 4 == 0 then
    q = q .. "&region=" .. regions[(n % #regions) + 1]
  end
  return wrk.format("GET", path .. "?q=" .. q)
end

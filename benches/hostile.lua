-- wrk script: the cache-hostile stream. Every request is a new combination of terms drawn from
-- $JX_WORDS (one word a line, e.g. the corpus vocabulary): two or three terms, sometimes a quoted
-- phrase, a filter or a one-letter typo, against /api/search (or $JX_PATH). Request n of thread t
-- uses terms n, n / W and n / W^2 in base W (offset by t), so no combination repeats in a run.
-- With JX_STREAM=broad it is the broad stream: $JX_WORDS holds the corpus's 60 commonest words a
-- reader sees, and every request has three of them (a fifth with two as a phrase, a quarter with a
-- region filter), so that each query matches a large share of the entries.
local path = os.getenv("JX_PATH") or "/api/search"
local broad = os.getenv("JX_STREAM") == "broad"
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
  if broad then
    local c = words[(math.floor(k / (w * w)) % w) + 1]
    b = words[(math.floor(k / w) % w) + 1]
    q = (n % 5 == 0) and ('"' .. a .. " " .. b .. '" ' .. c) or (a .. " " .. b .. " " .. c)
  elseif n % 5 == 0 then
    q = '"' .. a .. " " .. b .. '"'
  elseif n % 3 == 0 then
    q = a .. " " .. b .. " " .. words[((math.floor(k / (w * w)) + k * 17) % w) + 1]
  else
    q = a .. " " .. b
  end
  if n % 7 == 0 and #a > 4 and not broad then
    q = a:sub(1, 2) .. a:sub(4) .. " " .. b
  end
  q = q:gsub(" ", "+"):gsub('"', "%%22")
  if n % 4 == 0 then
    q = q .. "&region=" .. regions[(n % #regions) + 1]
  end
  return wrk.format("GET", path .. "?q=" .. q)
end

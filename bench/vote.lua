-- Voting rush: each request is a vote by a random one of the prepared
-- voters for a random nominee, with a fresh Idempotency-Key.
local tokens, noms = {}, {}
for l in io.lines(os.getenv("BENCH_OUT") .. "/vote_tokens.txt") do if l ~= "" then tokens[#tokens + 1] = l end end
for l in io.lines(os.getenv("BENCH_OUT") .. "/vote_nominees.txt") do if l ~= "" then noms[#noms + 1] = l end end
local campaign = io.lines(os.getenv("BENCH_OUT") .. "/vote_campaign.txt")()
local path = "/api/v1/campaigns/" .. campaign .. "/votes"
local n = 0
tid = 0 -- global: setup sets it per thread (thread:set), so the threads differ
setup = function(thread) tid = tid + 1; thread:set("tid", tid) end
init = function() math.randomseed(os.time() * 1000 + (tid or 0)) end
request = function()
  n = n + 1
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "b" .. tostring(tid) .. "-" .. n .. "-" .. math.random(1e9),
  }, '{"nominee_id":"' .. noms[math.random(#noms)] .. '"}')
end

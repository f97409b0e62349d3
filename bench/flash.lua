-- Flash-sale rush: each request is a purchase attempt by a random one of
-- the prepared shoppers, with a fresh Idempotency-Key.
local tokens = {}
for l in io.lines(os.getenv("BENCH_OUT") .. "/flash_tokens.txt") do if l ~= "" then tokens[#tokens + 1] = l end end
local sale = io.lines(os.getenv("BENCH_OUT") .. "/flash_sale.txt")()
local path = "/api/v1/flash-sales/" .. sale .. "/purchase"
local body = '{"quantity":1}'
local n, tid = 0, 0
setup = function(thread) tid = tid + 1; thread:set("tid", tid) end
init = function() math.randomseed(os.time() * 1000 + (tid or 0)) end
request = function()
  n = n + 1
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "b" .. tostring(tid) .. "-" .. n .. "-" .. math.random(1e9),
  }, body)
end

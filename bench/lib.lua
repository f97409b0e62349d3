-- Shared by the wrk scripts: random note ids and bearer tokens from prep.
local function readlines(path)
  local t = {}
  for l in io.lines(path) do if l ~= "" then t[#t + 1] = l end end
  return t
end
ids = readlines(os.getenv("BENCH_OUT") .. "/ids.txt")
tokens = readlines(os.getenv("BENCH_OUT") .. "/tokens.txt")
math.randomseed(os.time())
function pick(t) return t[math.random(#t)] end

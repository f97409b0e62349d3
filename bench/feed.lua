dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
request = function()
  return wrk.format("GET", "/api/v1/feed/following?limit=20", { ["Authorization"] = "Bearer " .. pick(tokens) })
end

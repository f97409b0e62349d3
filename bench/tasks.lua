-- The task centre's data (level, task progress, check-in calendar, points)
-- for random signed-in users.
dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
request = function()
  return wrk.format("GET", "/api/v1/me/growth", { ["Authorization"] = "Bearer " .. pick(tokens) })
end

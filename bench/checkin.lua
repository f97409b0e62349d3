-- Daily check-in as random signed-in users: the first request of a user
-- each day pays, the rest answer "already checked in" (what double clicks
-- and retries cost).
dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
request = function()
  return wrk.format("POST", "/api/v1/me/checkin", { ["Authorization"] = "Bearer " .. pick(tokens) })
end

dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
-- A first page each time (a new session): ranking from the user's profile.
request = function()
  return wrk.format("GET", "/api/v1/feed/discover?limit=20", { ["Authorization"] = "Bearer " .. pick(tokens) })
end

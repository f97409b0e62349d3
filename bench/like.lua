-- Likes and unlikes random notes as random users: every request is a write.
dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
local n = 0
request = function()
  n = n + 1
  local method = (n % 2 == 0) and "DELETE" or "PUT"
  return wrk.format(method, "/api/v1/notes/" .. pick(ids) .. "/like", { ["Authorization"] = "Bearer " .. pick(tokens) })
end

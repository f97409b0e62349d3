dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
request = function() return wrk.format("GET", "/api/v1/notes/" .. pick(ids)) end
